package dev.gateway.mailets;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.transport.mailets.RemoteDelivery;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.gateway.routing.RoutingTable;
import dev.gateway.routing.RoutingTableStore;
import dev.gateway.routing.Smarthost;

/**
 * Sends mail out through the smarthost named in its attribute {@value RouteByTable#SMARTHOST_ATTRIBUTE}, set by
 * {@link RouteByTable}. Each smarthost of the routing table gets its own James {@link RemoteDelivery}, so retries,
 * TLS, AUTH and DSN bounces work exactly as for MX delivery: its own queue ({@code smarthost-<name>}), the table's
 * retry delays and limit, and after the last failure a DSN through {@code bounceProcessor}.
 *
 * <p>When the table is reloaded, the deliveries of smarthosts whose settings changed are restarted with the new
 * settings; mail waiting in their queue stays there and is retried with the new settings. The AUTH password is
 * handed to RemoteDelivery only, never logged.
 *
 * <pre>{@code
 * <processor state="smarthost" enableJmx="false">
 *     <mailet match="All" class="dev.gateway.mailets.RelayThroughSmarthost">
 *         <bounceProcessor>bounces</bounceProcessor>   <!-- default bounces -->
 *         <deliveryThreads>2</deliveryThreads>         <!-- default 2, per smarthost -->
 *         <heloName>mx.example.com</heloName>          <!-- default: James's default domain -->
 *     </mailet>
 * </processor>
 * }</pre>
 * A mail naming a smarthost the table no longer has goes to the error processor (kept in its repository).
 */
public class RelayThroughSmarthost extends GenericMailet {

    private static final Logger LOGGER = LoggerFactory.getLogger(RelayThroughSmarthost.class);

    /** One RemoteDelivery and the smarthost definition it was built from. */
    private record Delivery(Smarthost smarthost, RemoteDelivery remoteDelivery) {
    }

    /** Settings read once. */
    record Settings(String bounceProcessor, String deliveryThreads, Optional<String> heloName) {
    }

    private final RoutingTableStore tables;
    private final DNSService dns;
    private final DomainList domains;
    private final MailQueueFactory<?> queues;
    private final MetricFactory metrics;
    private final Map<String, Delivery> deliveries = new ConcurrentHashMap<>();
    private Settings settings;

    @Inject
    public RelayThroughSmarthost(RoutingTableStore tables, DNSService dns, DomainList domains, MailQueueFactory<?> queues,
                                 MetricFactory metrics) {
        this.tables = tables;
        this.dns = dns;
        this.domains = domains;
        this.queues = queues;
        this.metrics = metrics;
    }

    @Override
    public void init() throws MessagingException {
        settings = new Settings(getInitParameter("bounceProcessor", "bounces"),
            getInitParameter("deliveryThreads", "2"),
            Optional.ofNullable(getInitParameter("heloName")));
        refresh(tables.current());
        tables.onChange(this::refresh);
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Optional<String> name = AttributeUtils.getValueAndCastFromMail(mail, RouteByTable.SMARTHOST, String.class);
        Optional<Delivery> delivery = name.map(deliveries::get);
        if (delivery.isEmpty()) {
            LOGGER.error("Mail {} names smarthost {}, which the routing table does not define: sent to the error processor",
                mail.getName(), name.orElse("(none)"));
            mail.setErrorMessage("No smarthost " + name.orElse("(none)") + " in the routing table");
            mail.setState(Mail.ERROR);
            return;
        }
        delivery.get().remoteDelivery().service(mail);
    }

    @Override
    public void destroy() {
        deliveries.values().forEach(delivery -> delivery.remoteDelivery().destroy());
        deliveries.clear();
    }

    private synchronized void refresh(RoutingTable table) {
        deliveries.entrySet().removeIf(entry -> {
            Smarthost wanted = table.smarthosts().get(entry.getKey());
            if (wanted != null && wanted.sameRelay(entry.getValue().smarthost())) {
                return false;
            }
            entry.getValue().remoteDelivery().destroy();
            LOGGER.info("Smarthost {} delivery stopped ({})", entry.getKey(), wanted == null ? "removed" : "changed");
            return true;
        });
        table.smarthosts().values().stream()
            .filter(smarthost -> !deliveries.containsKey(smarthost.name()))
            .forEach(smarthost -> {
                try {
                    deliveries.put(smarthost.name(), new Delivery(smarthost, start(smarthost)));
                    LOGGER.info("Smarthost {} delivery started: {}:{} tls {}{}", smarthost.name(), smarthost.host(),
                        smarthost.port(), smarthost.tls().written(),
                        smarthost.credentials().map(credentials -> " auth as " + credentials.username()).orElse(""));
                } catch (MessagingException e) {
                    LOGGER.error("Smarthost {} delivery cannot start", smarthost.name(), e);
                }
            });
    }

    private RemoteDelivery start(Smarthost smarthost) throws MessagingException {
        RemoteDelivery delivery = new RemoteDelivery(dns, domains, queues, metrics);
        delivery.init(new SmarthostMailetConfig("smarthost-" + smarthost.name(), getMailetContext(), parameters(smarthost)));
        return delivery;
    }

    /** RemoteDelivery's own settings (see its javadoc) for one smarthost. */
    private Map<String, String> parameters(Smarthost smarthost) {
        Map<String, String> parameters = new HashMap<>();
        parameters.put("outgoing", "smarthost-" + smarthost.name());
        parameters.put("gateway", smarthost.host());
        parameters.put("gatewayPort", String.valueOf(smarthost.port()));
        parameters.put("delayTime", String.join(", ", smarthost.retryDelays()));
        parameters.put("maxRetries", String.valueOf(smarthost.maxRetries()));
        parameters.put("maxDnsProblemRetries", "0");
        parameters.put("deliveryThreads", settings.deliveryThreads());
        parameters.put("sendpartial", "true");
        parameters.put("bounceProcessor", settings.bounceProcessor());
        settings.heloName().ifPresent(helo -> parameters.put("heloName", helo));
        parameters.put("verifyServerIdentity", String.valueOf(smarthost.verifyCertificate()));
        if (!smarthost.verifyCertificate()) {
            // JavaMail then accepts the relay's certificate without a chain check: for self-signed internal relays.
            parameters.put("mail.smtp.ssl.trust", smarthost.host());
            parameters.put("mail.smtps.ssl.trust", smarthost.host());
        }
        switch (smarthost.tls()) {
            case NONE -> parameters.put("startTLS", "false");
            case STARTTLS_OPPORTUNISTIC -> parameters.put("startTLS", "true");
            case STARTTLS_REQUIRED -> {
                parameters.put("startTLS", "true");
                parameters.put("mail.smtp.starttls.required", "true");
            }
            case IMPLICIT -> parameters.put("sslEnable", "true");
        }
        smarthost.credentials().ifPresent(credentials -> {
            parameters.put("gatewayUsername", credentials.username());
            parameters.put("gatewayPassword", credentials.password().reveal());
        });
        return parameters;
    }

    @Override
    public String getMailetInfo() {
        return "Relays mail through the routing table's smarthosts";
    }
}
