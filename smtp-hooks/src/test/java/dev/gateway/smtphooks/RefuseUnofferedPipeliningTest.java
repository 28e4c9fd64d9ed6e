package dev.gateway.smtphooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** What one read must hold to prove that the client did not wait for a reply; FrontDoorIT runs it on a listener. */
class RefuseUnofferedPipeliningTest {

    @Test
    void oneLineOrPartOfOneIsNotPipelining() {
        assertThat(RefuseUnofferedPipelining.moreAfterALineEnd(read("MAIL FROM:<a@b.test>\r\n"))).isFalse();
        assertThat(RefuseUnofferedPipelining.moreAfterALineEnd(read("MAIL FROM:<a@b"))).isFalse();
        assertThat(RefuseUnofferedPipelining.moreAfterALineEnd(read("test>\r\n"))).isFalse();
        assertThat(RefuseUnofferedPipelining.moreAfterALineEnd(read(""))).isFalse();
    }

    @Test
    void anythingAfterALineEndIs() {
        assertThat(RefuseUnofferedPipelining.moreAfterALineEnd(read("MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\n")))
            .isTrue();
        assertThat(RefuseUnofferedPipelining.moreAfterALineEnd(read("MAIL FROM:<a@b.test>\r\nR"))).isTrue();
        assertThat(RefuseUnofferedPipelining.moreAfterALineEnd(read("test>\r\nRCPT TO:<c@d.test>\r\n"))).isTrue();
    }

    @Test
    void onlyTheUnreadBytesCount() {
        ByteBuf bytes = read("HELO x\r\nMAIL FROM:<a@b.test>\r\n");
        bytes.readerIndex("HELO x\r\n".length());
        assertThat(RefuseUnofferedPipelining.moreAfterALineEnd(bytes)).isFalse();
    }

    private static ByteBuf read(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }
}
