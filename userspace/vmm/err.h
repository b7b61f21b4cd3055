/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error messages from mvm's pure parts (arguments, loader, layout): they
 * describe the problem into a buffer instead of printing, so that main
 * decides where it goes and the unit tests can check the wording.
 */
#ifndef MVM_ERR_H
#define MVM_ERR_H

struct mvm_err {
	char msg[512];
};

__attribute__((format(printf, 2, 3)))
void mvm_err_set(struct mvm_err *err, const char *fmt, ...);

#endif /* MVM_ERR_H */
