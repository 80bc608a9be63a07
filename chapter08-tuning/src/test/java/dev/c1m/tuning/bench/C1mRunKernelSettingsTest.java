package dev.c1m.tuning.bench;

import dev.c1m.tuning.FixtureMachine;
import dev.c1m.tuning.SysctlChanges;
import dev.c1m.tuning.SystemView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code C1mRun}'s kernel settings: what it raises, and that one it cannot write does not stop the others. */
@Timeout(10)
class C1mRunKernelSettingsTest {

    @TempDir
    Path root;

    private String read(String name) throws IOException {
        return Files.readString(root.resolve("proc/sys").resolve(name.replace('.', '/'))).trim();
    }

    @Test
    void aSettingThatCannotBeWrittenIsSkippedAndTheOthersAreStillRaisedAndRestored() throws IOException {
        SystemView laptop = FixtureMachine.laptop().sysctl("net.ipv4.tcp_migrate_req", "0").writeTo(root);
        // As in a network namespace other than the first: the setting exists, but cannot be read or written.
        Files.createDirectories(root.resolve("proc/sys/net/netfilter/nf_conntrack_max"));
        SysctlChanges sysctls = new SysctlChanges(root.resolve("proc/sys"));

        C1mRun.raiseKernelSettings(sysctls, laptop, 1_000_000);

        assertThat(sysctls.changes()).containsOnlyKeys(
                "net.ipv4.tcp_max_syn_backlog", "net.ipv4.tcp_migrate_req", "net.ipv4.tcp_mem");
        assertThat(read("net.ipv4.tcp_max_syn_backlog")).isEqualTo("8192");
        assertThat(read("net.ipv4.tcp_migrate_req")).isEqualTo("1");
        assertThat(read("net.ipv4.tcp_mem")).isNotEqualTo("190000\t253000\t380000");

        sysctls.restore();

        assertThat(read("net.ipv4.tcp_max_syn_backlog")).isEqualTo("1024");
        assertThat(read("net.ipv4.tcp_migrate_req")).isEqualTo("0");
        assertThat(read("net.ipv4.tcp_mem")).isEqualTo("190000\t253000\t380000");
    }
}
