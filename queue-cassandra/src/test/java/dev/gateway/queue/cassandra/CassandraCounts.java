package dev.gateway.queue.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;

/**
 * What Cassandra itself counted since it started, read from its virtual tables: the requests sent on the connections
 * bound to a keyspace ({@code system_views.clients}), and the local reads and writes of one table
 * ({@code system_views.local_read_latency}, {@code local_write_latency}). Tests take the difference around what they
 * measure. Read through {@code reader}: a request-counting test reads through a session bound to another keyspace, so
 * that its own reads are not counted.
 */
public final class CassandraCounts {

    private CassandraCounts() {
    }

    public static long requests(CqlSession reader, String keyspace) {
        long requests = 0;
        for (Row row : reader.execute("SELECT keyspace_name, request_count FROM system_views.clients")) {
            if (keyspace.equals(row.getString("keyspace_name"))) {
                requests += row.getLong("request_count");
            }
        }
        return requests;
    }

    public static long localReads(CqlSession reader, String keyspace, String table) {
        return tableCount(reader, "local_read_latency", keyspace, table);
    }

    public static long localWrites(CqlSession reader, String keyspace, String table) {
        return tableCount(reader, "local_write_latency", keyspace, table);
    }

    private static long tableCount(CqlSession reader, String view, String keyspace, String table) {
        long count = 0;
        for (Row row : reader.execute("SELECT keyspace_name, table_name, count FROM system_views." + view)) {
            if (keyspace.equals(row.getString("keyspace_name")) && table.equals(row.getString("table_name"))) {
                count += row.getLong("count");
            }
        }
        return count;
    }
}
