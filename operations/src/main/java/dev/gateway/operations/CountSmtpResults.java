package dev.gateway.operations;

import java.util.Locale;

import javax.inject.Inject;

import org.apache.commons.configuration2.Configuration;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.api.handler.ProtocolHandlerResultHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.esmtp.AuthCmdHandler;
import org.apache.james.protocols.smtp.hook.Hook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookResultHook;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

/**
 * Counts every decision of the SMTP hooks of its listener for {@code /metrics} ({@link SmtpResultCounts}): which hook
 * accepted or refused, with which reply code. Declined results (the hook had no opinion) are not counted, and the
 * result is passed on unchanged. Relay refusals are {@code hook="RelayControl"}, authentication failures
 * {@code hook="UsersRepositoryAuthHook",result="deny"}, lockouts {@code hook="AuthFailureLockout"}, spam refusals
 * {@code hook="SpamFilter"}, accepted messages {@code hook="SendMailHandler",result="ok"}. The outcome of {@code AUTH},
 * which James 3.8.1 does not report as a hook result, is counted from the command's reply as {@code hook="AUTH"}
 * ({@code ok} for 235, {@code deny} for 5xx, {@code denysoft} for 4xx) when the client sends its credentials with the
 * command (an initial response, as clients do for PLAIN); a challenge-response exchange is not counted. Another
 * handler of the {@code AUTH} command that refuses it before James's (AuthFailureLockout, for an address locked out)
 * is counted under its own name: {@code hook="AuthFailureLockout",result="denysoft",code="454"}.
 *
 * <pre>{@code
 * <handler class="dev.gateway.operations.CountSmtpResults">
 *     <listener>mx</listener>
 * </handler>
 * }</pre>
 */
public class CountSmtpResults implements HookResultHook, ProtocolHandlerResultHandler<Response, ProtocolSession> {

    private final SmtpResultCounts counts;
    private String listener = "smtp";

    @Inject
    public CountSmtpResults(SmtpResultCounts counts) {
        this.counts = counts;
    }

    @Override
    public void init(Configuration configuration) {
        listener = configuration.getString("listener", "smtp");
    }

    @Override
    public HookResult onHookResult(SMTPSession session, HookResult result, long executionTime, Hook hook) {
        HookReturnCode code = result.getResult();
        if (code.getAction() != HookReturnCode.Action.DECLINED && code.getAction() != HookReturnCode.Action.NONE) {
            counts.count(listener, hook.getClass().getSimpleName(),
                code.getAction().name().toLowerCase(Locale.ROOT) + (code.isDisconnected() ? "+disconnect" : ""),
                result.getSmtpRetCode() == null ? "" : result.getSmtpRetCode());
        }
        return result;
    }

    @Override
    public Response onResponse(ProtocolSession session, Response response, long executionTime, ProtocolHandler handler) {
        String code = response.getRetCode();
        if (handler instanceof AuthCmdHandler && code != null && !code.startsWith("3")) {
            counts.count(listener, "AUTH", code.startsWith("2") ? "ok" : code.startsWith("4") ? "denysoft" : "deny", code);
        } else if (handler instanceof CommandHandler<?> command && command.getImplCommands().contains("AUTH")
            && code != null && (code.startsWith("4") || code.startsWith("5"))) {
            // Refused before James's AuthCmdHandler runs (AuthFailureLockout, for an address locked out): no hook
            // result reports it, and without this a lockout in force would not be counted at all.
            counts.count(listener, handler.getClass().getSimpleName(), code.startsWith("4") ? "denysoft" : "deny", code);
        }
        return response;
    }
}
