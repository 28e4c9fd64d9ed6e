package dev.gateway.imap;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.imap.processor.ExamineProcessor;
import org.apache.james.imap.processor.SelectProcessor;
import org.apache.james.modules.protocols.ImapPackage;
import org.apache.james.utils.ClassName;
import org.junit.jupiter.api.Test;

class GatewayImapPackageTest {

    private final GatewayImapPackage gatewayPackage = new GatewayImapPackage();

    @Test
    void selectAndExamineTakeJamessPlaceAndEveryOtherCommandStays() {
        assertThat(gatewayPackage.processors())
            .contains(new ClassName(SelectWithListedExists.class.getName()), new ClassName(ExamineWithListedExists.class.getName()))
            .doesNotContain(new ClassName(SelectProcessor.class.getName()), new ClassName(ExamineProcessor.class.getName()))
            .hasSameSizeAs(ImapPackage.DEFAULT.processors());
        assertThat(gatewayPackage.decoders()).containsExactlyElementsOf(ImapPackage.DEFAULT.decoders());
        assertThat(gatewayPackage.encoders()).containsExactlyElementsOf(ImapPackage.DEFAULT.encoders());
    }
}
