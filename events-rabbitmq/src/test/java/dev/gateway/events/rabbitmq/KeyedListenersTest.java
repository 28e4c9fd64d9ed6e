package dev.gateway.events.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.events.EventListener;
import org.apache.james.events.RegistrationKey;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;

class KeyedListenersTest {

    private record MailboxKey(String id) implements RegistrationKey {
        @Override
        public String asString() {
            return id;
        }
    }

    private static EventListener.ReactiveEventListener listener() {
        return event -> Mono.empty();
    }

    @Test
    void listenersAreFoundUnderTheRoutingKeyJamesBindsTheirKeyUnder() {
        KeyedListeners listeners = new KeyedListeners();
        EventListener.ReactiveEventListener first = listener();
        EventListener.ReactiveEventListener second = listener();
        listeners.add(new MailboxKey("42"), first);
        listeners.add(new MailboxKey("42"), second);

        assertThat(KeyedListeners.routingKey(new MailboxKey("42"))).isEqualTo("MailboxKey:42");
        assertThat(listeners.of("MailboxKey:42")).containsExactly(first, second);
        assertThat(listeners.of("MailboxKey:43")).isEmpty();
        assertThat(listeners.keys()).containsExactly(new MailboxKey("42"));
    }

    @Test
    void aKeyIsKeptUntilItsLastListenerIsRemoved() {
        KeyedListeners listeners = new KeyedListeners();
        EventListener.ReactiveEventListener first = listener();
        EventListener.ReactiveEventListener second = listener();
        Runnable removeFirst = listeners.add(new MailboxKey("42"), first);
        Runnable removeSecond = listeners.add(new MailboxKey("42"), second);

        removeFirst.run();
        assertThat(listeners.has(new MailboxKey("42"))).isTrue();
        assertThat(listeners.of("MailboxKey:42")).containsExactly(second);

        removeSecond.run();
        assertThat(listeners.has(new MailboxKey("42"))).isFalse();
        assertThat(listeners.keys()).isEmpty();
        removeSecond.run();
        assertThat(listeners.keys()).isEmpty();
    }
}
