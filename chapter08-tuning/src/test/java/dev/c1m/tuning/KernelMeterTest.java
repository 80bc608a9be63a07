package dev.c1m.tuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class KernelMeterTest {

    @Test
    void parsesTheTcpLineOfSockstat() {
        KernelMeter.TcpSockets tcp = KernelMeter.parseTcpLine("TCP: inuse 2000012 orphan 0 tw 31 alloc 2000020 mem 1234");

        assertThat(tcp).isEqualTo(new KernelMeter.TcpSockets(2_000_012, 31, 1_234));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void readsThisMachinesSlabAndSockets() throws Exception {
        assertThat(KernelMeter.slabBytes()).isPositive();
        assertThat(KernelMeter.tcpSockets().inUse()).isNotNegative();
    }
}
