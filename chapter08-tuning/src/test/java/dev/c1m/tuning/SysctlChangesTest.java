package dev.c1m.tuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class SysctlChangesTest {

    @TempDir
    Path procSys;

    private Path setting(String name, String value) throws IOException {
        Path file = procSys.resolve(name.replace('.', '/'));
        Files.createDirectories(file.getParent());
        Files.writeString(file, value + "\n");
        return file;
    }

    @Test
    void raisesOnlyUpwardAndPutsEverySettingBackInReverseOrder() throws IOException {
        Path backlog = setting("net.ipv4.tcp_max_syn_backlog", "2048");
        Path somaxconn = setting("net.core.somaxconn", "65535");
        Path tcpMem = setting("net.ipv4.tcp_mem", "287898\t383866\t575796");
        SysctlChanges changes = new SysctlChanges(procSys);

        assertThat(changes.raiseTo("net.ipv4.tcp_max_syn_backlog", 8192)).isTrue();
        assertThat(changes.raiseTo("net.core.somaxconn", 4096)).as("already higher").isFalse();
        assertThat(changes.set("net.ipv4.tcp_mem", "1000000 1500000 2000000")).isTrue();

        assertThat(Files.readString(backlog).trim()).isEqualTo("8192");
        assertThat(Files.readString(tcpMem).trim()).isEqualTo("1000000 1500000 2000000");
        assertThat(changes.changes()).containsExactly(
                java.util.Map.entry("net.ipv4.tcp_max_syn_backlog", "2048 -> 8192"),
                java.util.Map.entry("net.ipv4.tcp_mem", "287898 383866 575796 -> 1000000 1500000 2000000"));

        changes.restore();

        assertThat(Files.readString(backlog).trim()).isEqualTo("2048");
        assertThat(Files.readString(tcpMem).trim()).isEqualTo("287898\t383866\t575796");
        assertThat(Files.readString(somaxconn).trim()).isEqualTo("65535");
        assertThat(changes.changes()).as("still reported after the restore").hasSize(2);
    }

    @Test
    void restoresEverySettingItCanWhenOneCannotBeWrittenBackAndThenSaysWhich() throws IOException {
        Path backlog = setting("net.ipv4.tcp_max_syn_backlog", "2048");
        Path conntrack = setting("net.netfilter.nf_conntrack_max", "262144");
        Path migrate = setting("net.ipv4.tcp_migrate_req", "0");
        SysctlChanges changes = new SysctlChanges(procSys);
        changes.raiseTo("net.ipv4.tcp_max_syn_backlog", 8192);
        changes.raiseTo("net.netfilter.nf_conntrack_max", 2_200_000);
        changes.raiseTo("net.ipv4.tcp_migrate_req", 1);
        Files.delete(conntrack);
        Files.createDirectory(conntrack); // the module went away: its file cannot be written any more

        assertThatThrownBy(changes::restore).isInstanceOf(IOException.class)
                .hasMessageContaining("net.netfilter.nf_conntrack_max");

        assertThat(Files.readString(backlog).trim()).isEqualTo("2048");
        assertThat(Files.readString(migrate).trim()).isEqualTo("0");
    }

    @Test
    void skipsASettingThisKernelDoesNotHaveAndRefusesChangesAfterTheRestore() throws IOException {
        setting("net.ipv4.tcp_migrate_req", "0");
        SysctlChanges changes = new SysctlChanges(procSys);

        assertThat(changes.raiseTo("net.netfilter.nf_conntrack_max", 1_000_000)).isFalse();
        changes.restore();

        assertThat(changes.changes()).isEmpty();
        assertThatThrownBy(() -> changes.raiseTo("net.ipv4.tcp_migrate_req", 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void keepsTheFirstOriginalWhenASettingChangesTwice() throws IOException {
        Path backlog = setting("net.ipv4.tcp_max_syn_backlog", "1024");
        SysctlChanges changes = new SysctlChanges(procSys);

        changes.raiseTo("net.ipv4.tcp_max_syn_backlog", 2048);
        changes.raiseTo("net.ipv4.tcp_max_syn_backlog", 8192);
        changes.restore();

        assertThat(Files.readString(backlog).trim()).isEqualTo("1024");
    }
}
