package dev.gateway.storage.cassandra.guice;

import static com.datastax.oss.driver.api.core.type.DataTypes.BIGINT;
import static com.datastax.oss.driver.api.core.type.DataTypes.BOOLEAN;
import static com.datastax.oss.driver.api.core.type.DataTypes.INT;
import static com.datastax.oss.driver.api.core.type.DataTypes.TEXT;
import static com.datastax.oss.driver.api.core.type.DataTypes.TIMESTAMP;
import static com.datastax.oss.driver.api.core.type.DataTypes.TIMEUUID;
import static com.datastax.oss.driver.api.core.type.DataTypes.setOf;
import static com.datastax.oss.driver.api.querybuilder.SchemaBuilder.RowsPerPartition.rows;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.components.CassandraTable;
import org.apache.james.backends.cassandra.components.CassandraType;
import org.apache.james.backends.cassandra.utils.CassandraConstants;
import org.apache.james.mailbox.cassandra.table.CassandraMailboxTable;
import org.apache.james.mailbox.cassandra.table.CassandraMessageIdTable;
import org.apache.james.mailbox.cassandra.table.CassandraMessageIds;
import org.apache.james.mailbox.cassandra.table.CassandraMessageV3Table;
import org.apache.james.mailbox.cassandra.table.Flag;
import org.apache.james.mailbox.cassandra.table.MessageIdToImapUid;

import com.datastax.oss.driver.api.querybuilder.SchemaBuilder;

/**
 * James 3.8.1 declares two mailbox tables with LZ4 compression through driver 4.15's query builder, which writes the
 * option {@code chunk_length_kb}; Cassandra 5 accepts only {@code chunk_length_in_kb} and refuses the whole CREATE
 * TABLE. These are the same two tables, column for column, with the option spelled the Cassandra 5 way.
 */
public final class Cassandra5Tables {

    /** 8 KB chunks, as James asks: mailbox rows and per-message flag rows are small. */
    private static final Map<String, Object> LZ4_8KB = Map.of("class", "LZ4Compressor", "chunk_length_in_kb", 8);

    private static final CassandraModule REPLACEMENTS = CassandraModule.builder()
        .table(CassandraMailboxTable.TABLE_NAME)
        .comment("Holds the mailboxes information.")
        .options(options -> options
            .withCaching(true, rows(CassandraConstants.DEFAULT_CACHED_ROW_PER_PARTITION))
            .withOption("compression", LZ4_8KB))
        .statement(statement -> types -> statement
            .withPartitionKey(CassandraMailboxTable.ID, TIMEUUID)
            .withColumn(CassandraMailboxTable.MAILBOX_BASE, types.getDefinedUserType(CassandraMailboxTable.MAILBOX_BASE.asCql(true)))
            .withColumn(CassandraMailboxTable.NAME, TEXT)
            .withColumn(CassandraMailboxTable.UIDVALIDITY, BIGINT))

        .table(MessageIdToImapUid.TABLE_NAME)
        .comment("Holds mailbox and flags for each message, lookup by message ID")
        .options(options -> options
            .withCompaction(SchemaBuilder.sizeTieredCompactionStrategy())
            .withOption("compression", LZ4_8KB)
            .withCaching(true, rows(100)))
        .statement(statement -> types -> statement
            .withPartitionKey(CassandraMessageIds.MESSAGE_ID, TIMEUUID)
            .withClusteringColumn(CassandraMessageIds.MAILBOX_ID, TIMEUUID)
            .withClusteringColumn(CassandraMessageIds.IMAP_UID, BIGINT)
            .withColumn(MessageIdToImapUid.THREAD_ID, TIMEUUID)
            .withColumn(MessageIdToImapUid.MOD_SEQ, BIGINT)
            .withColumn(Flag.ANSWERED, BOOLEAN)
            .withColumn(Flag.DELETED, BOOLEAN)
            .withColumn(Flag.DRAFT, BOOLEAN)
            .withColumn(Flag.FLAGGED, BOOLEAN)
            .withColumn(Flag.RECENT, BOOLEAN)
            .withColumn(Flag.SEEN, BOOLEAN)
            .withColumn(Flag.USER, BOOLEAN)
            .withColumn(Flag.USER_FLAGS, setOf(TEXT))
            .withColumn(CassandraMessageV3Table.INTERNAL_DATE, TIMESTAMP)
            .withColumn(CassandraMessageIdTable.SAVE_DATE, TIMESTAMP)
            .withColumn(CassandraMessageV3Table.BODY_START_OCTET, INT)
            .withColumn(CassandraMessageV3Table.FULL_CONTENT_OCTETS, BIGINT)
            .withColumn(CassandraMessageV3Table.HEADER_CONTENT, TEXT))
        .build();

    private static final Set<String> REPLACED = Set.of(CassandraMailboxTable.TABLE_NAME, MessageIdToImapUid.TABLE_NAME);

    /** The given tables, with James's definitions of the two tables above swapped for these. */
    public static CassandraModule compatible(CassandraModule tables) {
        if (tables.moduleTables().stream().noneMatch(table -> REPLACED.contains(table.getName()))) {
            return tables;
        }
        List<CassandraTable> kept = tables.moduleTables().stream()
            .filter(table -> !REPLACED.contains(table.getName()))
            .toList();
        List<CassandraType> types = tables.moduleTypes();
        CassandraModule others = new CassandraModule() {
            @Override
            public List<CassandraTable> moduleTables() {
                return kept;
            }

            @Override
            public List<CassandraType> moduleTypes() {
                return types;
            }
        };
        return CassandraModule.aggregateModules(others, REPLACEMENTS);
    }

    private Cassandra5Tables() {
    }
}
