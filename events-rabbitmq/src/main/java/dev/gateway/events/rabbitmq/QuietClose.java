package dev.gateway.events.rabbitmq;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Channel;

/** Closing a broker channel that is no longer needed, where a failure to close changes nothing. */
final class QuietClose {

    private QuietClose() {
    }

    /** Closes the channel if it is open; its connection closes it at the latest if this fails. */
    static void channel(Channel channel) {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            // Not needed any more, and closed with its connection at the latest.
        }
    }
}
