package dev.gateway.imap;

import java.util.Map;

import javax.inject.Inject;

import org.apache.james.imap.decode.parser.CreateCommandParser;
import org.apache.james.imap.decode.parser.SearchCommandParser;
import org.apache.james.imap.processor.ExamineProcessor;
import org.apache.james.imap.processor.IdleProcessor;
import org.apache.james.imap.processor.SelectProcessor;
import org.apache.james.modules.protocols.ImapPackage;
import org.apache.james.utils.ClassName;

import com.google.common.collect.ImmutableList;

/**
 * James's IMAP commands, with SELECT and EXAMINE replaced by {@link SelectWithListedExists} and
 * {@link ExamineWithListedExists}, IDLE by {@link IdleReportingFlagChanges}, SEARCH parsed by
 * {@link BoundedSearchCommandParser} and CREATE by {@link PipelinedCreateCommandParser}. Named in {@code imapserver.xml}:
 * <pre>{@code
 * <imapservers>
 *     <imapPackages>dev.gateway.imap.GatewayImapPackage</imapPackages>
 *     <imapserver>...</imapserver>
 * </imapservers>
 * }</pre>
 * James keys processors by the request they handle, so a replacement must take the default's place rather than
 * join it.
 */
public class GatewayImapPackage extends ImapPackage.Impl {

    private static final Map<String, ClassName> REPLACEMENTS = Map.of(
        SelectProcessor.class.getName(), new ClassName(SelectWithListedExists.class.getName()),
        ExamineProcessor.class.getName(), new ClassName(ExamineWithListedExists.class.getName()),
        IdleProcessor.class.getName(), new ClassName(IdleReportingFlagChanges.class.getName()),
        SearchCommandParser.class.getName(), new ClassName(BoundedSearchCommandParser.class.getName()),
        CreateCommandParser.class.getName(), new ClassName(PipelinedCreateCommandParser.class.getName()));

    @Inject
    public GatewayImapPackage() {
        super(DEFAULT.processors().stream()
                .map(processor -> REPLACEMENTS.getOrDefault(processor.getName(), processor))
                .collect(ImmutableList.toImmutableList()),
            DEFAULT.decoders().stream()
                .map(decoder -> REPLACEMENTS.getOrDefault(decoder.getName(), decoder))
                .collect(ImmutableList.toImmutableList()),
            ImmutableList.copyOf(DEFAULT.encoders()));
    }
}
