// SPDX-License-Identifier: GPL-2.0
/* Reading the image file into memory, whatever kind of file it is. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"

/* Far above any guest memory a flat image could fill, far below trouble. */
#define MVM_MAX_IMAGE_SIZE	(1ull << 32)

int mvm_read_file(const char *path, uint8_t **data, size_t *size, struct mvm_err *err)
{
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = NULL, *nbuf;
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		mvm_err_set(err, "cannot open image '%s': %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		mvm_err_set(err, "cannot stat image '%s': %s", path, strerror(-ret));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		mvm_err_set(err, "image '%s' is a directory", path);
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > MVM_MAX_IMAGE_SIZE) {
			ret = -EFBIG;
			mvm_err_set(err, "image '%s' is larger than 4 GiB", path);
			goto out;
		}
		cap = (size_t)st.st_size + 1;	/* +1: see EOF without a realloc */
	}
	/* Read until EOF rather than trusting st_size: pipes and /proc files lie. */
	for (;;) {
		ssize_t n;

		if (len == cap || !buf) {
			if (buf)
				cap *= 2;
			if (cap > MVM_MAX_IMAGE_SIZE + 1) {
				ret = -EFBIG;
				mvm_err_set(err, "image '%s' is larger than 4 GiB", path);
				goto out;
			}
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				ret = -ENOMEM;
				mvm_err_set(err, "out of memory reading image '%s'", path);
				goto out;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			mvm_err_set(err, "cannot read image '%s': %s", path, strerror(-ret));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*data = buf;
	*size = len;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}
