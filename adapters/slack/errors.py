"""Every documented error of the Slack Web API methods the adapter calls, by what it means for
the message (``chat.postMessage``; ``conversations.history`` / ``conversations.replies`` when
looking for a copy already posted; the errors every method shares).

* **retry**: Slack did not take it now and says so; try again later, the same message.
* **unknown**: Slack may have posted it ("It's possible some aspect of the operation succeeded
  before the error was raised"): check the channel before sending it again.
* **pause**: nothing will reach this channel until a person acts (invite the bot, reinstall).
* **refuse**: this message will never be accepted as it is; ``paperbot retry`` re-queues it.

An error Slack does not document is refused, with its name, so it is seen in ``status``.
HTTP 429 is a retry (with Retry-After); other HTTP 5xx answers are unknown (a gateway may
have passed the post on before failing).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.port import (
    ChannelUnavailable,
    DeliveryError,
    OutcomeUnknown,
    Refused,
    RetryLater,
    parse_retry_after,
)

RETRY = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "service_unavailable",
        "request_timeout",
        "message_limit_exceeded",
        "team_added_to_org",
    }
)
UNKNOWN = frozenset({"fatal_error", "internal_error"})
#: Pause the channel, with what to do about it.
PAUSE = {
    "channel_not_found": "the channel id is wrong, or the channel is private and the bot "
    "is not in it",
    "not_in_channel": "invite the bot to the channel",
    "is_archived": "the channel is archived",
    "messages_tab_disabled": "the app's Messages tab is off",
    "restricted_action": "a workspace admin does not let the bot post here",
    "restricted_action_read_only_channel": "the channel is read-only",
    "restricted_action_thread_only_channel": "the channel only takes thread replies",
    "ekm_access_denied": "workspace administrators suspended posting",
    "team_access_not_granted": "the app is not granted access to this workspace",
    "access_denied": "access to the channel was denied",
    "no_permission": "the token may not post here; check the app's scopes",
    "not_allowed_token_type": "SLACK_BOT_TOKEN must be a bot token (xoxb-)",
    "account_inactive": "the bot token no longer works; reinstall the app",
    "invalid_auth": "the bot token no longer works; reinstall the app",
    "not_authed": "no bot token was sent",
    "token_revoked": "the bot token was revoked; reinstall the app",
    "token_expired": "the bot token expired; reinstall the app",
    "org_login_required": "the workspace is migrating to an organisation; reinstall the app",
    "enterprise_is_restricted": "the method cannot be called from this Enterprise",
    "two_factor_setup_required": "the workspace requires two-factor setup",
    "accesslimited": "this method is limited on the current network",
    "deprecated_endpoint": "Slack retired this endpoint; upgrade paperbot",
    "method_deprecated": "Slack retired this method; upgrade paperbot",
}
#: Refused: the message itself (or how it is sent) is at fault.
REFUSE = frozenset(
    {
        "as_user_not_supported",
        "attachment_payload_limit_exceeded",
        "cannot_reply_to_message",
        "duplicate_channel_not_found",
        "duplicate_message_not_found",
        "invalid_arg_name",
        "invalid_arguments",
        "invalid_array_arg",
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_charset",
        "invalid_form_data",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "invalid_post_type",
        "metadata_must_be_sent_from_app",
        "metadata_too_large",
        "missing_file_data",
        "missing_post_type",
        "msg_too_long",
        "no_text",
        "restricted_action_non_threadable_channel",
        "restricted_action_thread_locked",
        "slack_connect_canvas_sharing_blocked",
        "slack_connect_file_link_sharing_blocked",
        "slack_connect_lists_sharing_blocked",
        "too_many_attachments",
        "too_many_contact_cards",
        # conversations.history / conversations.replies (looking for a copy)
        "invalid_cursor",
        "invalid_metadata_filter_keys",
        "invalid_ts_latest",
        "invalid_ts_oldest",
        "thread_not_found",
    }
)


def classify(
    status: int, error: str, headers: Mapping[str, str], needed: str | None = None
) -> DeliveryError:
    """A failed Web API answer (HTTP status, Slack's ``error``) as the delivery contract."""
    wait = parse_retry_after(headers.get("Retry-After"))
    if status == 429 or error in RETRY:
        what = f"HTTP {status}" if status != 200 else error
        label = "rate limited by Slack" if status == 429 or "rate" in error else "Slack said"
        return RetryLater(f"{label} ({what})", retry_after=wait)
    if error in UNKNOWN or status >= 500:
        detail = ", ".join(filter(None, [f"HTTP {status}" if status != 200 else "", error]))
        return OutcomeUnknown(f"Slack {detail}: it may have posted the message", retry_after=wait)
    if error == "missing_scope":
        return ChannelUnavailable(
            f"missing_scope: the app needs {needed or 'a scope, see the manifest'}; add it and "
            "reinstall"
        )
    if error in PAUSE:
        return ChannelUnavailable(f"{error}: {PAUSE[error]}")
    return Refused(error or f"HTTP {status}")
