package dev.gateway.app;

import org.apache.james.smtpserver.netty.SMTPServerFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;

import dev.gateway.smtphooks.FrontDoorSmtpServerFactory;

/**
 * Makes James's SMTP listeners {@code FrontDoorSmtpServer}s, which can refuse pipelining without PIPELINING
 * (docs/front-door.md). An override of James's {@code SMTPServerModule}:
 * {@code Modules.override(new SMTPServerModule()).with(new FrontDoorSmtpServerModule())}.
 */
public class FrontDoorSmtpServerModule extends AbstractModule {

    @Override
    protected void configure() {
        bind(SMTPServerFactory.class).to(FrontDoorSmtpServerFactory.class);
        bind(FrontDoorSmtpServerFactory.class).in(Scopes.SINGLETON);
    }
}
