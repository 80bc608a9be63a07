package dev.c1m.tuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class CpuByProcessTest {

    @Test
    void recognisesAKernelThreadByItsFlags() {
        String stat = "83 (kdamond.0) S 2 0 0 0 -1 2129984 0 0 0 0 40 1335 0 0 20 0 1 0 30 0 0";

        assertThat(CpuByProcess.parseStat(stat).kernelThread()).isTrue();
    }

    @Test
    void chargesOnlyTheProcessesOutsideTheRunAndKeepsKernelThreadsApart() {
        CpuByProcess before = table(
                new CpuByProcess.Entry(1, "process_api", false, 0, 1_000),
                new CpuByProcess.Entry(83, "kdamond.0", true, 30, 50),
                new CpuByProcess.Entry(500, "java", false, 4_000, 7_000));
        CpuByProcess after = table(
                new CpuByProcess.Entry(1, "process_api", false, 0, 1_450),
                new CpuByProcess.Entry(83, "kdamond.0", true, 30, 80),
                new CpuByProcess.Entry(500, "java", false, 4_000, 9_000),
                new CpuByProcess.Entry(600, "sshd", false, 9_000, 5));

        CpuByProcess.Outside outside = after.since(before).outside(Set.of(500L), 2);

        assertThat(outside.userTicks()).isEqualTo(450 + 5);
        assertThat(outside.kernelThreadTicks()).isEqualTo(30);
        assertThat(outside.largest()).extracting(CpuByProcess.Entry::name).containsExactly("process_api", "kdamond.0");
    }

    @Test
    void aPidReusedByALaterProcessCountsFromZero() {
        CpuByProcess before = table(new CpuByProcess.Entry(700, "old", false, 100, 900));
        CpuByProcess after = table(new CpuByProcess.Entry(700, "new", false, 5_000, 30));

        assertThat(after.since(before).outside(Set.of(), 5).userTicks()).isEqualTo(30);
    }

    @Test
    void aKernelWorkerThatRenamedItselfForOtherWorkCountsOnlyItsTicksSince() {
        CpuByProcess before = table(new CpuByProcess.Entry(90, "kworker/u8:2-events_unbound", true, 400, 12_000));
        CpuByProcess after = table(new CpuByProcess.Entry(90, "kworker/u8:2-ext4-rsv-conversion", true, 400, 12_017));

        assertThat(after.since(before).outside(Set.of(), 5).kernelThreadTicks()).isEqualTo(17);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void findsThisProcessAsAUserProcessOnThisMachine() throws Exception {
        long me = ProcessHandle.current().pid();

        CpuByProcess.Outside everyone = CpuByProcess.now().outside(Set.of(), Integer.MAX_VALUE);

        assertThat(everyone.largest()).filteredOn(e -> e.pid() == me)
                .singleElement().satisfies(e -> {
                    assertThat(e.kernelThread()).isFalse();
                    assertThat(e.ticks()).isPositive(); // a JVM that started and ran tests has used CPU
                });
    }

    private static CpuByProcess table(CpuByProcess.Entry... entries) {
        Map<Long, CpuByProcess.Entry> byPid = new java.util.HashMap<>();
        for (CpuByProcess.Entry e : entries) {
            byPid.put(e.pid(), e);
        }
        return new CpuByProcess(byPid);
    }
}
