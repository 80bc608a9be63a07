package dev.c1m.tuning.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TcpExtCountersTest {

    @Test
    void parsesEachNamesLineWithTheValuesLineBelowIt() {
        Map<String, Long> values = TcpExtCounters.parse(List.of(
                "TcpExt: SyncookiesSent ListenOverflows ListenDrops",
                "TcpExt: 12 3406 3407",
                "IpExt: InOctets",
                "IpExt: 99"));

        assertThat(values).containsExactlyInAnyOrderEntriesOf(Map.of(
                "TcpExtSyncookiesSent", 12L, "TcpExtListenOverflows", 3406L, "TcpExtListenDrops", 3407L,
                "IpExtInOctets", 99L));
    }

    @Test
    void subtractsAnEarlierSnapshot() {
        TcpExtCounters before = new TcpExtCounters(Map.of("TcpExtTCPKeepAlive", 10L));
        TcpExtCounters after = new TcpExtCounters(Map.of("TcpExtTCPKeepAlive", 13L));

        assertThat(after.since(before, "TcpExtTCPKeepAlive")).isEqualTo(3);
    }

    @Test
    void rejectsMismatchedLinesAndUnknownCounters() {
        assertThatThrownBy(() -> TcpExtCounters.parse(List.of("TcpExt: A B", "IpExt: 1 2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TcpExt:");
        assertThatThrownBy(() -> TcpExtCounters.parse(List.of("TcpExt: A B", "TcpExt: 1")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TcpExtCounters(Map.of()).get("TcpExtNoSuchThing"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TcpExtNoSuchThing");
    }

    @Test
    void readsTheCountersTheBenchmarksUseFromThisKernel() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/net/netstat")), "needs Linux /proc/net/netstat");

        TcpExtCounters counters = TcpExtCounters.read();

        for (String name : List.of("TcpExtListenOverflows", "TcpExtListenDrops", "TcpExtSyncookiesSent",
                "TcpExtTCPKeepAlive", "TcpRetransSegs")) {
            assertThat(counters.get(name)).as(name).isNotNegative();
        }
    }
}
