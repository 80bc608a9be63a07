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
    void countsBusyTimeWithoutIdleIowaitOrStealAndKeepsSoftirqAndStealApart() {
        KernelMeter.CpuTicks cpu = KernelMeter.parseCpuLine("cpu  100 2 30 5000 7 1 40 9 0 0");

        assertThat(cpu).isEqualTo(new KernelMeter.CpuTicks(100 + 2 + 30 + 1 + 40, 40, 9));
    }

    @Test
    void subtractsAnEarlierReading() {
        KernelMeter.CpuTicks later = new KernelMeter.CpuTicks(500, 60, 20);

        assertThat(later.since(new KernelMeter.CpuTicks(200, 10, 5))).isEqualTo(new KernelMeter.CpuTicks(300, 50, 15));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void readsThisMachinesSlabAndSockets() throws Exception {
        assertThat(KernelMeter.slabBytes()).isPositive();
        assertThat(KernelMeter.tcpSockets().inUse()).isNotNegative();
        assertThat(KernelMeter.cpuTicks().busy()).isPositive();
    }
}
