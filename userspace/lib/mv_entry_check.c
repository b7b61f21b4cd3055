// SPDX-License-Identifier: GPL-2.0
/*
 * libminivisor: names of the VM-entry check rules that a failed entry
 * reports in mv_run.fail_entry.check. The rule table and the engine are the
 * module's own (common/vmx_entry_check.c), compiled in here, so userspace
 * and kernel always agree on ids and names.
 */
#include "../../common/vmx_entry_check.c"

#include "libminivisor.h"

const char *mv_entry_check_str(uint32_t id)
{
	const struct mv_entry_rule *r;

	if (id == MV_EC_NONE)
		return "none";
	r = mv_entry_rule_get(id);
	return r ? r->name : "unknown";
}

const char *mv_entry_check_sdm(uint32_t id)
{
	const struct mv_entry_rule *r = mv_entry_rule_get(id);

	return r ? r->sdm : "";
}
