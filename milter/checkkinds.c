/*
 * checkkinds.c - the list of kinds of DNS checks (see checkkinds.h).
 */
#include "checkkinds.h"

#include "dkimcheck.h"
#include "dmarccheck.h"
#include "mxcheck.h"
#include "spfcheck.h"

const ag_dstate_kind_t *const ag_check_kinds[] = {
    &ag_dkimcheck_kind,
    &ag_spfcheck_kind,
    &ag_mxcheck_kind,
    &ag_dmarccheck_kind,
    NULL,
};

/* ag_check_kinds_register - register every kind with a service */
int ag_check_kinds_register(ag_dstate_t *state)
{
	for (size_t i = 0; ag_check_kinds[i] != NULL; i++)
		if (ag_dstate_register(state, ag_check_kinds[i]) != 0)
			return -1;
	return 0;
}

/* ag_check_kinds_plan - every kind's planned checks, for display */
size_t ag_check_kinds_plan(const ag_dstate_subject_t *subject,
                           ag_dstate_req_t *reqs,
                           const ag_dstate_kind_t **kinds, size_t max)
{
	size_t count = 0;

	for (size_t k = 0; ag_check_kinds[k] != NULL && count < max; k++) {
		size_t room = max - count;
		size_t n = ag_check_kinds[k]->plan(subject, reqs + count, room);

		if (n > room)
			n = room;
		for (size_t i = 0; kinds != NULL && i < n; i++)
			kinds[count + i] = ag_check_kinds[k];
		count += n;
	}
	return count;
}
