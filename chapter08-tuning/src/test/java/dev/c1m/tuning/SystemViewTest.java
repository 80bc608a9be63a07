package dev.c1m.tuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(10)
class SystemViewTest {

    @TempDir
    Path root;

    @Test
    void readsSoftAndHardOpenFileLimits() throws IOException {
        SystemView view = FixtureMachine.laptop().openFiles(1024, 524_288).writeTo(root);

        assertThat(view.openFiles()).isEqualTo(new SystemView.FileLimits(1024, 524_288));
    }

    @Test
    void findsCapSysResourceAsBit24OfCapEff() throws IOException {
        assertThat(FixtureMachine.laptop().capEff("0000000001000000").writeTo(root).canRaiseHardLimit()).isTrue();
        // this course's machine: everything but bit 24
        assertThat(FixtureMachine.laptop().capEff("000001fffeffffff").writeTo(root).canRaiseHardLimit()).isFalse();
    }

    @Test
    void readsMultiValuedSysctlsAndReportsAMissingOneAsEmpty() throws IOException {
        SystemView view = FixtureMachine.laptop().writeTo(root);

        assertThat(view.sysctl("net.ipv4.ip_local_port_range")).hasValueSatisfying(
                v -> assertThat(v).containsExactly(32768, 60999));
        assertThat(view.sysctl("net.ipv4.tcp_tw_recycle")).isEmpty();
    }

    @Test
    void countsOnlineCoresFromARangeList() throws IOException {
        assertThat(FixtureMachine.laptop().file("sys/devices/system/cpu/online", "0-3,6,8-9\n").writeTo(root).cores())
                .isEqualTo(7);
    }

    @Test
    void readsTheWholeValueOfARealProcSysctl() {
        Path real = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        assumeTrue(Files.isReadable(real), "needs Linux /proc");

        long[] range = SystemView.live().sysctl("net.ipv4.ip_local_port_range").orElseThrow();

        assertThat(range).hasSize(2);
        assertThat(range[1]).isGreaterThan(range[0]);
    }
}
