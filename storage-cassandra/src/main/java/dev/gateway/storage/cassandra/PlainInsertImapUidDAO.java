package dev.gateway.storage.cassandra;

import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.bindMarker;
import static com.datastax.oss.driver.api.querybuilder.QueryBuilder.insertInto;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageIdTable.SAVE_DATE;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageIds.IMAP_UID;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageIds.MAILBOX_ID;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageIds.MESSAGE_ID;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.BODY_START_OCTET;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.FULL_CONTENT_OCTETS;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.HEADER_CONTENT;
import static org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table.INTERNAL_DATE;
import static org.apache.james.mailbox.cassandra.table.Flag.ANSWERED;
import static org.apache.james.mailbox.cassandra.table.Flag.DELETED;
import static org.apache.james.mailbox.cassandra.table.Flag.DRAFT;
import static org.apache.james.mailbox.cassandra.table.Flag.FLAGGED;
import static org.apache.james.mailbox.cassandra.table.Flag.RECENT;
import static org.apache.james.mailbox.cassandra.table.Flag.SEEN;
import static org.apache.james.mailbox.cassandra.table.Flag.USER;
import static org.apache.james.mailbox.cassandra.table.Flag.USER_FLAGS;
import static org.apache.james.mailbox.cassandra.table.MessageIdToImapUid.MOD_SEQ;
import static org.apache.james.mailbox.cassandra.table.MessageIdToImapUid.TABLE_NAME;
import static org.apache.james.mailbox.cassandra.table.MessageIdToImapUid.THREAD_ID;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import javax.inject.Inject;

import org.apache.james.backends.cassandra.init.configuration.CassandraConfiguration;
import org.apache.james.backends.cassandra.utils.CassandraAsyncExecutor;
import org.apache.james.blob.api.BlobId;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageIdToImapUidDAO;
import org.apache.james.mailbox.cassandra.mail.CassandraMessageMetadata;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;

import reactor.core.publisher.Mono;

/**
 * James's {@code imapUidTable} access, but a message's row is written by a plain insert instead of a lightweight
 * transaction ({@code IF NOT EXISTS}): one Paxos round less for each message stored, copied or moved (issue 14).
 *
 * <p>Why James made it a transaction: the row's flags are later changed by conditional updates ({@code IF modseq =
 * ?}), whose cells carry the Paxos ballot's time, taken from the coordinator's clock; a plain write carries the
 * client's time. Were the client's clock ahead of the coordinator's, the insert's flags (written first) could carry
 * a later time than a flag change made just after, and win over it: the change lost although its condition held.
 * James offers the plain insert only together with unconditional flag updates ({@code
 * message.write.strong.consistency.unsafe}), which lose concurrent changes outright.
 *
 * <p>Here the insert alone is plain, and written with a time set back by {@link #SET_BACK} (1 s): a flag change
 * wins as long as the clocks of the gateway and of Cassandra differ by less than that. The insert's condition never
 * mattered otherwise: a row is written once, for a UID the mailbox gives out once, and James ignores whether the
 * condition held. Flag updates, deletions and reads are James's, unchanged.
 */
public final class PlainInsertImapUidDAO extends CassandraMessageIdToImapUidDAO {

    /** How far back the insert's write time is set: more than any clock skew between a gateway and Cassandra. */
    static final Duration SET_BACK = Duration.ofSeconds(1);
    private static final String WRITE_TIME = "writeTime";

    private final CassandraAsyncExecutor executor;
    private final PreparedStatement plainInsert;
    private final Clock clock;

    @Inject
    public PlainInsertImapUidDAO(CqlSession session, BlobId.Factory blobIds, CassandraConfiguration configuration) {
        this(session, blobIds, configuration, Clock.systemUTC());
    }

    /** With the clock the write times are read from (a test's clock set ahead of Cassandra's). */
    PlainInsertImapUidDAO(CqlSession session, BlobId.Factory blobIds, CassandraConfiguration configuration, Clock clock) {
        super(session, blobIds, configuration);
        this.executor = new CassandraAsyncExecutor(session);
        this.clock = clock;
        this.plainInsert = session.prepare(insertInto(TABLE_NAME)
            .value(MESSAGE_ID, bindMarker(MESSAGE_ID))
            .value(MAILBOX_ID, bindMarker(MAILBOX_ID))
            .value(IMAP_UID, bindMarker(IMAP_UID))
            .value(THREAD_ID, bindMarker(THREAD_ID))
            .value(MOD_SEQ, bindMarker(MOD_SEQ))
            .value(ANSWERED, bindMarker(ANSWERED))
            .value(DELETED, bindMarker(DELETED))
            .value(DRAFT, bindMarker(DRAFT))
            .value(FLAGGED, bindMarker(FLAGGED))
            .value(RECENT, bindMarker(RECENT))
            .value(SEEN, bindMarker(SEEN))
            .value(USER, bindMarker(USER))
            .value(USER_FLAGS, bindMarker(USER_FLAGS))
            .value(INTERNAL_DATE, bindMarker(INTERNAL_DATE))
            .value(SAVE_DATE, bindMarker(SAVE_DATE))
            .value(BODY_START_OCTET, bindMarker(BODY_START_OCTET))
            .value(FULL_CONTENT_OCTETS, bindMarker(FULL_CONTENT_OCTETS))
            .value(HEADER_CONTENT, bindMarker(HEADER_CONTENT))
            .usingTimestamp(bindMarker(WRITE_TIME))
            .build());
    }

    @Override
    public Mono<Void> insert(CassandraMessageMetadata metadata) {
        return executor.executeVoid(insertStatement(metadata));
    }

    /** The row's insert, for {@link AppendRows} to send in one batch with the message's other rows. */
    BoundStatement insertStatement(CassandraMessageMetadata metadata) {
        Instant writeTime = clock.instant().minus(SET_BACK);
        return MessageRowValues.bind(plainInsert.boundStatementBuilder(), metadata)
            .setLong(WRITE_TIME, ChronoUnit.MICROS.between(Instant.EPOCH, writeTime))
            .build();
    }
}
