package dev.gateway.mailets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gateway.routing.Action;
import dev.gateway.routing.MailFacts;
import dev.gateway.routing.MessageFacts;
import dev.gateway.routing.Route;
import dev.gateway.routing.RoutingTable;
import dev.gateway.routing.RoutingTableStore;

/**
 * Routes each recipient of a mail by the routing table (docs/routing.md), splitting the mail when its recipients go
 * different ways. Recipients no rule decides stay on the mail, which goes on through the rest of the processor (the
 * default route: local mailbox, or MX delivery for relaying clients). The others leave on copies of the mail:
 * <ul>
 *   <li>{@code deliver}: processor {@code localProcessor};</li>
 *   <li>{@code relay}: processor {@code smarthostProcessor}, with the smarthost's name in the attribute
 *       {@value #SMARTHOST_ATTRIBUTE} ({@link RelayThroughSmarthost} reads it);</li>
 *   <li>{@code quarantine}: processor {@code quarantineProcessor};</li>
 *   <li>{@code reject}: the SMTP hook {@code RoutingRejects} refused the recipient already; one that gets here
 *       anyway (table reloaded meanwhile, or mail made by a mailet) goes to {@code rejectedProcessor}, never bounced;</li>
 *   <li>{@code redirect} and {@code copy}: a new mail to the target address goes back to this processor and is
 *       routed afresh, at most {@code maxRedirects} times in a chain (then {@code rejectedProcessor}); a copy makes
 *       no further copies.</li>
 * </ul>
 * A rule's header changes are applied to the copy that goes the rule's way. Every mail this mailet dispatches
 * carries the attribute {@value #RULE_ATTRIBUTE} (the deciding rule) for the repositories' WebAdmin listings.
 * Every rule that matches a recipient is counted in {@link RoutingRuleHits} ({@code /metrics}).
 * A mail carrying {@value #ROUTED_ATTRIBUTE} (set when quarantined mail is released) is left to the default route.
 *
 * <pre>{@code
 * <mailet match="All" class="dev.gateway.mailets.RouteByTable">
 *     <localProcessor>local-delivery</localProcessor>            <!-- default local-delivery -->
 *     <smarthostProcessor>smarthost</smarthostProcessor>         <!-- default smarthost -->
 *     <quarantineProcessor>routing-quarantine</quarantineProcessor> <!-- default routing-quarantine -->
 *     <rejectedProcessor>routing-rejected</rejectedProcessor>    <!-- default routing-rejected -->
 *     <redirectProcessor>transport</redirectProcessor>           <!-- default transport: where redirects re-enter -->
 *     <maxRedirects>5</maxRedirects>                             <!-- default 5 -->
 * </mailet>
 * }</pre>
 */
public class RouteByTable extends GenericMailet {

    private static final Logger LOGGER = LoggerFactory.getLogger(RouteByTable.class);

    public static final String SMARTHOST_ATTRIBUTE = "dev.gateway.routing.smarthost";
    public static final String RULE_ATTRIBUTE = "dev.gateway.routing.rule";
    public static final String ROUTED_ATTRIBUTE = "dev.gateway.routing.routed";
    static final AttributeName SMARTHOST = AttributeName.of(SMARTHOST_ATTRIBUTE);
    static final AttributeName RULE = AttributeName.of(RULE_ATTRIBUTE);
    static final AttributeName ROUTED = AttributeName.of(ROUTED_ATTRIBUTE);
    static final AttributeName REDIRECTS = AttributeName.of("dev.gateway.routing.redirects");
    static final AttributeName IS_COPY = AttributeName.of("dev.gateway.routing.copy");

    /** Processor names and the redirect limit, read once. */
    record Settings(String local, String smarthost, String quarantine, String rejected, String redirect, int maxRedirects) {
    }

    /** Recipients that go the same way with the same header changes travel on one mail. */
    private record Way(Action action, Optional<String> rule, Map<String, String> addHeaders, Set<String> removeHeaders) {
        boolean unchanged() {
            return addHeaders.isEmpty() && removeHeaders.isEmpty();
        }
    }

    private final RoutingTableStore tables;
    private final RoutingRuleHits hits;
    private Settings settings;

    @Inject
    public RouteByTable(RoutingTableStore tables, RoutingRuleHits hits) {
        this.tables = tables;
        this.hits = hits;
    }

    @Override
    public void init() throws MessagingException {
        settings = new Settings(
            getInitParameter("localProcessor", "local-delivery"),
            getInitParameter("smarthostProcessor", "smarthost"),
            getInitParameter("quarantineProcessor", "routing-quarantine"),
            getInitParameter("rejectedProcessor", "routing-rejected"),
            getInitParameter("redirectProcessor", "transport"),
            Integer.parseInt(getInitParameter("maxRedirects", "5")));
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        if (mail.getAttribute(ROUTED).isPresent() || mail.getRecipients().isEmpty()) {
            return;
        }
        RoutingTable table = tables.current();
        if (table.rules().isEmpty()) {
            return;
        }
        MessageFacts facts = MailFacts.of(mail);
        Map<Way, List<MailAddress>> ways = new LinkedHashMap<>();
        Set<MailAddress> copies = new LinkedHashSet<>();
        for (MailAddress recipient : mail.getRecipients()) {
            Route route = table.route(recipient, facts);
            hits.count(route);
            Way way = new Way(route.action(), route.decidedBy().map(rule -> rule.name()), route.addHeaders(), route.removeHeaders());
            ways.computeIfAbsent(way, key -> new ArrayList<>()).add(recipient);
            if (mail.getAttribute(IS_COPY).isEmpty()) {
                // A copy is routed afresh but makes no copies itself: the rule that made it would match it again.
                copies.addAll(route.copies());
            }
            LOGGER.debug("Mail {} recipient {}: {}", mail.getName(), recipient.asString(), route.trace());
        }
        if (!copies.isEmpty()) {
            redirect(mail, copies, "copy");
        }
        List<MailAddress> staying = new ArrayList<>();
        for (Map.Entry<Way, List<MailAddress>> entry : ways.entrySet()) {
            Way way = entry.getKey();
            if (way.action().kind() == Action.Kind.DEFAULT && way.unchanged() && staying.isEmpty()) {
                staying.addAll(entry.getValue());
            } else {
                dispatch(mail, way, entry.getValue());
            }
        }
        if (staying.isEmpty()) {
            mail.setState(Mail.GHOST);
        } else {
            mail.setRecipients(staying);
        }
    }

    private void dispatch(Mail mail, Way way, List<MailAddress> recipients) throws MessagingException {
        Action action = way.action();
        MailImpl copy = copyFor(mail, recipients, way);
        way.rule().ifPresent(rule -> copy.setAttribute(new Attribute(RULE, AttributeValue.of(rule))));
        LOGGER.info("Mail {} to {}: {} (rule {})", mail.getName(), recipients, action, way.rule().orElse("none"));
        switch (action.kind()) {
            case DELIVER -> send(copy, settings.local());
            case RELAY -> {
                copy.setAttribute(new Attribute(SMARTHOST, AttributeValue.of(action.smarthost().orElseThrow())));
                send(copy, settings.smarthost());
            }
            case QUARANTINE -> send(copy, settings.quarantine());
            case REJECT -> {
                LOGGER.warn("Mail {} to {} matches reject rule {} after it was accepted: kept in {}, not bounced",
                    mail.getName(), recipients, way.rule().orElse("?"), settings.rejected());
                send(copy, settings.rejected());
            }
            case REDIRECT -> {
                copy.setRecipients(List.of(action.address().orElseThrow()));
                sendRedirected(copy, mail);
            }
            default -> {
                // The default route with header changes: back through the processor, marked so it is not routed again.
                copy.setAttribute(new Attribute(ROUTED, AttributeValue.of(true)));
                send(copy, settings.redirect());
            }
        }
    }

    private void redirect(Mail mail, Collection<MailAddress> targets, String why) throws MessagingException {
        MailImpl copy = MailImpl.duplicate(mail);
        copy.setRecipients(List.copyOf(targets));
        copy.setAttribute(new Attribute(IS_COPY, AttributeValue.of(true)));
        LOGGER.info("Mail {}: {} to {}", mail.getName(), why, targets);
        sendRedirected(copy, mail);
    }

    private void sendRedirected(MailImpl copy, Mail original) throws MessagingException {
        int redirects = AttributeUtils.getValueAndCastFromMail(original, REDIRECTS, Integer.class).orElse(0) + 1;
        copy.setAttribute(new Attribute(REDIRECTS, AttributeValue.of(redirects)));
        if (redirects > settings.maxRedirects()) {
            LOGGER.warn("Mail {} redirected more than {} times (a rule loop?): kept in {}", original.getName(),
                settings.maxRedirects(), settings.rejected());
            send(copy, settings.rejected());
        } else {
            send(copy, settings.redirect());
        }
    }

    private static MailImpl copyFor(Mail mail, List<MailAddress> recipients, Way way) throws MessagingException {
        MailImpl copy = way.unchanged() ? MailImpl.duplicate(mail)
            : MailImpl.duplicateWithoutMessage(mail).mimeMessage(new MimeMessage(mail.getMessage())).build();
        copy.setRecipients(recipients);
        if (!way.unchanged()) {
            MimeMessage message = copy.getMessage();
            for (String header : way.removeHeaders()) {
                message.removeHeader(header);
            }
            for (Map.Entry<String, String> header : way.addHeaders().entrySet()) {
                message.addHeader(header.getKey(), header.getValue());
            }
            // No saveChanges(): it would give the message a new Message-ID.
        }
        return copy;
    }

    private void send(MailImpl mail, String processor) throws MessagingException {
        try {
            getMailetContext().sendMail(mail, processor);
        } finally {
            mail.dispose();
        }
    }

    @Override
    public String getMailetInfo() {
        return "Routes each recipient by the Gateway routing table";
    }
}
