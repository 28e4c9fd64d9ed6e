/**
 * Gateway's testkit: a real gateway, started with {@code bin/gateway start} from a JUnit 5 test, with the test's own
 * extension classes and configuration on it, and the clients to talk to it over real loopback sockets.
 *
 * <ul>
 *   <li>{@link dev.gateway.testkit.GatewayExtension}: one gateway per test class ({@code @RegisterExtension}); its
 *       {@link dev.gateway.testkit.GatewayExtension.Builder} adds extension jars or {@code target/classes}
 *       ({@link dev.gateway.testkit.ExtensionJars}), overlay files (the configuration overlay of
 *       docs/configuration.md), configuration files and edits ({@link dev.gateway.testkit.ConfigurationOverlay}), {@code GATEWAY_*} variables and a
 *       {@link dev.gateway.testkit.Companion} server;</li>
 *   <li>{@link dev.gateway.testkit.GatewayProcess}: the server itself (ports, working directory, log, the launcher),
 *       for tests that start, stop, kill or restart it themselves;</li>
 *   <li>{@link dev.gateway.testkit.SmtpSession}: SMTP with every reply visible (plain, STARTTLS, implicit TLS, AUTH
 *       PLAIN); {@link dev.gateway.testkit.RawConnection}: exact bytes on a socket;</li>
 *   <li>{@link dev.gateway.testkit.Mailboxes}: reading a user's INBOX over IMAPS or POP3S, waiting for delivery;</li>
 *   <li>{@link dev.gateway.testkit.WebAdminClient}: queues, mail repositories, users and mailboxes over WebAdmin.</li>
 * </ul>
 *
 * <pre>{@code
 * class ListMembersOnlyIT {
 *     @RegisterExtension
 *     static final GatewayExtension GATEWAY = GatewayExtension.builder("alice@example.test", "secret")
 *         .extensionClasses(Path.of("target/classes"))
 *         .overlay("10-rules.xml", "<overlay><handlers>" + HANDLER + "</handlers></overlay>")
 *         .build();
 *
 *     @Test
 *     void aMemberGetsThrough() throws Exception {
 *         try (SmtpSession smtp = SmtpSession.connect(GATEWAY.process(), GatewayProcess.Port.SMTP, GATEWAY.tls())) {
 *             smtp.ehlo("partner.test");
 *             assertThat(smtp.send("bob@partner.test", SmtpSession.message("bob@partner.test",
 *                 "alice@example.test", "hello"), "alice@example.test")).startsWith("250");
 *         }
 *         assertThat(Mailboxes.awaitInbox(GATEWAY.process(), GATEWAY.tls(), "alice@example.test", "secret", 1))
 *             .hasSize(1);
 *     }
 * }
 * }</pre>
 *
 * The gateway started is found by {@code -Dgateway.source} (else {@code $GATEWAY_SOURCE}, else {@code ..}): a built
 * Gateway tree. docs/extending.md, "Testing your rule in a real gateway", lists every setting.
 */
package dev.gateway.testkit;
