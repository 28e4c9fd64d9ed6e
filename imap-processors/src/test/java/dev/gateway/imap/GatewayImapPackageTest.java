package dev.gateway.imap;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.james.imap.decode.parser.CreateCommandParser;
import org.apache.james.imap.decode.parser.SearchCommandParser;
import org.apache.james.imap.processor.ExamineProcessor;
import org.apache.james.imap.processor.IdleProcessor;
import org.apache.james.imap.processor.SelectProcessor;
import org.apache.james.modules.protocols.ImapPackage;
import org.apache.james.utils.ClassName;
import org.junit.jupiter.api.Test;

class GatewayImapPackageTest {

    private final GatewayImapPackage gatewayPackage = new GatewayImapPackage();

    @Test
    void selectExamineIdleAndTheSearchAndCreateParsersTakeJamessPlaceAndEveryOtherCommandStays() {
        assertThat(gatewayPackage.processors())
            .contains(new ClassName(SelectWithListedExists.class.getName()), new ClassName(ExamineWithListedExists.class.getName()),
                new ClassName(IdleReportingFlagChanges.class.getName()))
            .doesNotContain(new ClassName(SelectProcessor.class.getName()), new ClassName(ExamineProcessor.class.getName()),
                new ClassName(IdleProcessor.class.getName()))
            .hasSameSizeAs(ImapPackage.DEFAULT.processors());
        assertThat(gatewayPackage.decoders())
            .contains(new ClassName(BoundedSearchCommandParser.class.getName()), new ClassName(PipelinedCreateCommandParser.class.getName()))
            .doesNotContain(new ClassName(SearchCommandParser.class.getName()), new ClassName(CreateCommandParser.class.getName()))
            .hasSameSizeAs(ImapPackage.DEFAULT.decoders());
        assertThat(ImapPackage.DEFAULT.decoders())
            .contains(new ClassName(SearchCommandParser.class.getName()), new ClassName(CreateCommandParser.class.getName()));
        assertThat(gatewayPackage.encoders()).containsExactlyElementsOf(ImapPackage.DEFAULT.encoders());
    }
}
