/*
 * email_otp: whether guests without another identity provider may sign in
 * with an email one-time passcode (the email authentication method's
 * allowExternalIdToUseEmailOtp). The configuration always exists: updated,
 * never created or deleted.
 */
#include "partners_common.h"

#include <string.h>
#include <strings.h>

#define EMAIL_METHOD_PATH                                                                          \
	"/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email"

extern const struct kind kind_email_otp;

static int email_otp_read(struct reconcile_ctx *ctx)
{
	struct tenant_request req;
	json_t *method;
	int ret = -1;

	if (!ctx->cfg->external_collaboration.email_one_time_passcode.set)
		return 0;
	tenant_request_init(&req, "GET", NULL, 0, "read the email one-time passcode settings",
			    EMAIL_METHOD_PATH);
	if (tenant_run(ctx->tenant, &req, 1) < 0)
		goto out;
	if (!tenant_request_ok(&req)) {
		tenant_request_error(&req);
		goto out;
	}
	method = graph_single_entity(req.response);
	if (!method) {
		b2b_error_set("read the email one-time passcode settings: the answer holds no "
			      "configuration");
		goto out;
	}
	json_object_set(ctx->live, "emailAuthenticationMethodConfiguration", method);
	ret = 0;
out:
	tenant_request_release(&req);
	return ret;
}

static int email_otp_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	const struct cfg_enum *otp = &ctx->cfg->external_collaboration.email_one_time_passcode;
	json_t *live = json_object_get(ctx->live, "emailAuthenticationMethodConfiguration");
	const char *have, *want;
	struct plan_action *a;
	json_t *body;

	if (!otp->set)
		return 0;
	want = email_otp_name(otp->value);
	have = json_string_value(json_object_get(live, "allowExternalIdToUseEmailOtp"));
	if (!have || !*have)
		have = "default";
	if (!strcasecmp(have, want))
		return 0;
	a = plan_add_action(plan, &kind_email_otp, PLAN_UPDATE, "tenant", &otp->pos);
	plan_action_add_change(a, "allowExternalIdToUseEmailOtp", json_string(have),
			       json_string(want));
	body = json_pack("{s:s, s:s}", "@odata.type",
			 "#microsoft.graph.emailAuthenticationMethodConfiguration",
			 "allowExternalIdToUseEmailOtp", want);
	a->data = action_request_data("PATCH", body, 1, EMAIL_METHOD_PATH);
	return 0;
}

const struct kind kind_email_otp = {
    .name = "email_otp",
    .read = email_otp_read,
    .diff = email_otp_diff,
    .apply_step = apply_step_single_request,
};
