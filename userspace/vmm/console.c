// SPDX-License-Identifier: GPL-2.0
/* The host-input escape sequence (pure: shared with the unit tests). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MVM_ESCAPE_CHAR	0x01

bool mvm_escape_filter(bool *escape, const uint8_t *in, size_t len, uint8_t *out,
		       size_t *out_len);

bool mvm_escape_filter(bool *escape, const uint8_t *in, size_t len, uint8_t *out,
		       size_t *out_len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		uint8_t c = in[i];

		if (*escape) {
			*escape = false;
			if (c == 'x' || c == 'X') {
				*out_len = n;
				return true;
			}
			out[n++] = MVM_ESCAPE_CHAR;	/* Ctrl-A Ctrl-A: one literal */
			if (c != MVM_ESCAPE_CHAR)
				out[n++] = c;
		} else if (c == MVM_ESCAPE_CHAR) {
			*escape = true;
		} else {
			out[n++] = c;
		}
	}
	*out_len = n;
	return false;
}
