package dev.gateway.storage.cassandra.guice;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.james.backends.cassandra.components.CassandraModule;
import org.apache.james.backends.cassandra.components.CassandraTable;
import org.apache.james.backends.cassandra.components.CassandraType;
import org.apache.james.mailbox.cassandra.modules.CassandraMailboxModule;
import org.apache.james.mailbox.cassandra.modules.CassandraMessageModule;
import org.apache.james.user.cassandra.CassandraUsersRepositoryModule;
import org.junit.jupiter.api.Test;

class Cassandra5TablesTest {

    private static final CassandraModule JAMES = CassandraModule.aggregateModules(
        CassandraMailboxModule.MODULE, CassandraMessageModule.MODULE, CassandraUsersRepositoryModule.MODULE);

    @Test
    void keepsEveryTableNameAndTypeWhileSwappingTheTwoDefinitionsCassandra5Refuses() {
        CassandraModule compatible = Cassandra5Tables.compatible(JAMES);

        assertThat(names(compatible.moduleTables())).containsExactlyInAnyOrderElementsOf(names(JAMES.moduleTables()));
        assertThat(compatible.moduleTypes().stream().map(CassandraType::getName))
            .containsExactlyInAnyOrderElementsOf(JAMES.moduleTypes().stream().map(CassandraType::getName).toList());
        List<CassandraTable> swapped = compatible.moduleTables().stream()
            .filter(table -> !JAMES.moduleTables().contains(table))
            .toList();
        assertThat(names(swapped)).containsExactlyInAnyOrder("mailbox", "imapUidTable");
    }

    @Test
    void leavesModulesWithoutThoseTablesAsTheyAre() {
        assertThat(Cassandra5Tables.compatible(CassandraUsersRepositoryModule.MODULE)).isSameAs(CassandraUsersRepositoryModule.MODULE);
    }

    private static List<String> names(List<CassandraTable> tables) {
        return tables.stream().map(CassandraTable::getName).toList();
    }
}
