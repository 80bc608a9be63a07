package dev.c1m.tuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class ReadinessDoctorTest {

    private static final ReadinessTarget MILLION_HERE = ReadinessTarget.of(1_000_000, true);

    @TempDir
    Path root;

    private ReadinessReport examine(FixtureMachine machine, ReadinessTarget target) throws IOException {
        return new ReadinessDoctor(machine.writeTo(root)).examine(target);
    }

    /** A million connections, both ends here, on the default laptop with one sysctl changed. */
    private ReadinessReport millionOnALaptopWith(String sysctl, String value) throws IOException {
        return examine(FixtureMachine.laptop().sysctl(sysctl, value), MILLION_HERE);
    }

    @Test
    void aDefaultLaptopNeedsSeveralProcessesAndWarnsAboutItsSoftLimitAndMemory() throws IOException {
        ReadinessReport report = examine(FixtureMachine.laptop(), MILLION_HERE);

        assertThat(report.check("open files (soft)").verdict()).isEqualTo(Verdict.WARN);
        assertThat(report.check("open files (soft)").fix()).contains("-XX:+MaxFDLimit").contains("ulimit -n 524288");
        ReadinessCheck hard = report.check("open files (hard)");
        assertThat(hard.verdict()).isEqualTo(Verdict.WARN);
        assertThat(hard.fix()).contains("must span several processes").contains("LimitNOFILE=1048576")
                .contains("limits.conf");
        assertThat(report.serverProcesses()).isEqualTo(2);
        assertThat(report.clientProcesses()).isEqualTo(2);
        // 2,000,000 sockets x 5,200 B + 1,000,000 x 768 B + 4 JVMs x 64 MiB = 11.4 GB of 12.9 GB available
        assertThat(report.memoryBytes()).isEqualTo(2_000_000L * 5_200 + 1_000_000L * 768 + 4L * (64 << 20));
        assertThat(report.check("memory (MemAvailable)").verdict()).isEqualTo(Verdict.WARN);
        assertThat(report.check("net.ipv4.ip_local_port_range").verdict()).isEqualTo(Verdict.PASS);
        assertThat(report.sourceAddresses()).isEqualTo(71); // 1,000,000 / (28,232 / 2)
        assertThat(report.overall()).isEqualTo(Verdict.WARN);
    }

    @Test
    void onTheCoursesMachineTheServerGetsRoomForSoReuseportsSpreadAndTheLoadDoesNot() throws IOException {
        ReadinessReport report = examine(FixtureMachine.laptop().openFiles(20_000, 20_000), MILLION_HERE);

        assertThat(report.serverProcesses()).isEqualTo(53);
        assertThat(report.clientProcesses()).isEqualTo(51); // the generator splits its connections evenly itself
        assertThat(report.check("open files (hard)").allows()).contains("19,800 connections per process")
                .contains("53 server processes (room for SO_REUSEPORT's uneven spread) and 51 load-generator processes");
        assertThat(report.memoryBytes()).isEqualTo(2_000_000L * 5_200 + 1_000_000L * 768 + 104L * (64 << 20));
    }

    @Test
    void aTunedServerPassesEveryCheckWithOneProcess() throws IOException {
        FixtureMachine tuned = FixtureMachine.laptop()
                .openFiles(2_000_000, 2_000_000).capEff(FixtureMachine.ROOT_CAPABILITIES)
                .sysctl("fs.nr_open", "2097152").sysctl("fs.file-max", "4194304")
                .sysctl("net.core.somaxconn", "65535").sysctl("net.ipv4.tcp_max_syn_backlog", "65535")
                .sysctl("net.ipv4.ip_local_port_range", "10000 65000").sysctl("net.ipv4.tcp_tw_reuse", "1")
                .sysctl("net.ipv4.tcp_mem", "2000000 3000000 4000000").memAvailableKib(60L << 20);

        ReadinessReport report = examine(tuned, ReadinessTarget.of(1_000_000, false));

        assertThat(report.checks()).allSatisfy(c -> {
            assertThat(c.verdict()).as(c.limit()).isEqualTo(Verdict.PASS);
            assertThat(c.fix()).as(c.limit()).isEmpty();
        });
        assertThat(report.serverProcesses()).isEqualTo(1);
        assertThat(report.clientProcesses()).isZero();
        assertThat(report.overall()).isEqualTo(Verdict.PASS);
    }

    @Test
    void aLowHardLimitThatCannotBeRaisedFailsAndAsksForAnAdministrator() throws IOException {
        ReadinessReport report = examine(FixtureMachine.laptop().openFiles(1024, 1024), MILLION_HERE);

        ReadinessCheck hard = report.check("open files (hard)");
        assertThat(hard.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(hard.value()).contains("cannot raise");
        assertThat(hard.fix()).contains("no CAP_SYS_RESOURCE").contains("ask the administrator");
        assertThat(report.serverProcesses()).isEqualTo(1420); // 1,214 would hold 1,000,000 at 1,024 - 200 each if evenly spread
        assertThat(report.overall()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void theSameLowHardLimitIsOnlyAWarningWhenTheProcessMayRaiseIt() throws IOException {
        ReadinessReport report = examine(FixtureMachine.laptop().openFiles(1024, 1024)
                .capEff(FixtureMachine.ROOT_CAPABILITIES), MILLION_HERE);

        ReadinessCheck hard = report.check("open files (hard)");
        assertThat(hard.verdict()).isEqualTo(Verdict.WARN);
        assertThat(hard.value()).doesNotContain("cannot raise");
        assertThat(hard.fix()).startsWith("ulimit -Hn 1048576 && ulimit -n 1048576");
    }

    @Test
    void aNarrowPortRangeWarnsAndMultipliesTheSourceAddresses() throws IOException {
        ReadinessReport report = millionOnALaptopWith("net.ipv4.ip_local_port_range", "60000 60999");

        ReadinessCheck ports = report.check("net.ipv4.ip_local_port_range");
        assertThat(ports.verdict()).isEqualTo(Verdict.WARN);
        assertThat(ports.allows()).contains("1,000 ports per source address").contains("2,000 source address(es)");
        assertThat(ports.fix()).contains("sysctl -w net.ipv4.ip_local_port_range=\"10000 65000\"")
                .contains("/etc/sysctl.d/");
        assertThat(report.sourceAddresses()).isEqualTo(2000);
    }

    @Test
    void tooLittleMemoryFailsAndSaysHowManyConnectionsFit() throws IOException {
        ReadinessReport report = examine(FixtureMachine.laptop().memAvailableKib(2L << 20), MILLION_HERE);

        ReadinessCheck memory = report.check("memory (MemAvailable)");
        assertThat(memory.verdict()).isEqualTo(Verdict.FAIL);
        long fits = 1_000_000L * (2L << 30) / report.memoryBytes();
        assertThat(memory.fix()).contains(String.format("at most about %,d connections", fits));
        assertThat(report.overall()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void aFileMaxBelowTheSocketCountFailsWithASysctlFix() throws IOException {
        ReadinessReport report = millionOnALaptopWith("fs.file-max", "1000000");

        ReadinessCheck fileMax = report.check("fs.file-max");
        assertThat(fileMax.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(fileMax.fix()).contains("sysctl -w fs.file-max=").contains("fs.nr_open");
    }

    @Test
    void anNrOpenBelowTheTargetWarnsThatNoUlimitCanGoHigher() throws IOException {
        ReadinessReport report = millionOnALaptopWith("fs.nr_open", "524288");

        ReadinessCheck nrOpen = report.check("fs.nr_open");
        assertThat(nrOpen.verdict()).isEqualTo(Verdict.WARN);
        assertThat(nrOpen.fix()).contains("sysctl -w fs.nr_open=1048576");
    }

    @Test
    void theOldAcceptQueueDefaultWarnsAndMentionsJavasDefaultBacklog() throws IOException {
        ReadinessReport report = millionOnALaptopWith("net.core.somaxconn", "128");

        ReadinessCheck queue = report.check("net.core.somaxconn");
        assertThat(queue.verdict()).isEqualTo(Verdict.WARN);
        assertThat(queue.fix()).contains("sysctl -w net.core.somaxconn=8192").contains("default backlog is 50");
    }

    @Test
    void tcpTwRecycleOnAnOldKernelFails() throws IOException {
        ReadinessReport report = millionOnALaptopWith("net.ipv4.tcp_tw_recycle", "1");

        ReadinessCheck recycle = report.check("net.ipv4.tcp_tw_recycle");
        assertThat(recycle.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(recycle.fix()).contains("net.ipv4.tcp_tw_recycle=0").contains("4.12");
    }

    @Test
    void aBootSizedEstablishedHashSharedByTwoMillionSocketsWarnsAndSizesANamespaceTable() throws IOException {
        ReadinessReport report = millionOnALaptopWith("net.ipv4.tcp_ehash_entries", "-262144");

        ReadinessCheck hash = report.check("net.ipv4.tcp_ehash_entries");
        assertThat(hash.verdict()).isEqualTo(Verdict.WARN);
        assertThat(hash.value()).isEqualTo("262,144 (shared)");
        assertThat(hash.allows()).contains("a chain of about 8 socket(s)");
        assertThat(hash.fix()).contains("sysctl -w net.ipv4.tcp_child_ehash_entries=2097152").contains("unshare -n");
    }

    @Test
    void aNamespaceTableWithABucketPerSocketPasses() throws IOException {
        ReadinessReport report = millionOnALaptopWith("net.ipv4.tcp_ehash_entries", "2097152");

        assertThat(report.check("net.ipv4.tcp_ehash_entries").verdict()).isEqualTo(Verdict.PASS);
        assertThat(report.check("net.ipv4.tcp_ehash_entries").fix()).isEmpty();
    }

    @Test
    void aKernelWithoutTheHashSizeSysctlGetsNoHashCheck() throws IOException {
        ReadinessReport report = examine(FixtureMachine.laptop(), MILLION_HERE);

        assertThat(report.checks()).extracting(ReadinessCheck::limit).doesNotContain("net.ipv4.tcp_ehash_entries");
    }

    @Test
    void inANetworkNamespaceThatHidesTcpMemTheDoctorSaysSoInsteadOfReadingZero() throws IOException {
        ReadinessReport report = examine(FixtureMachine.laptop().without("net.ipv4.tcp_mem"), MILLION_HERE);

        ReadinessCheck tcpMem = report.check("net.ipv4.tcp_mem (pages)");
        assertThat(tcpMem.verdict()).isEqualTo(Verdict.WARN);
        assertThat(tcpMem.value()).isEqualTo("not visible here");
        assertThat(tcpMem.fix()).contains("outside the namespace").doesNotContain("sysctl -w");
    }

    @Test
    void tcpTwReuseOffWarns() throws IOException {
        ReadinessReport report = millionOnALaptopWith("net.ipv4.tcp_tw_reuse", "0");

        assertThat(report.check("net.ipv4.tcp_tw_reuse").verdict()).isEqualTo(Verdict.WARN);
        assertThat(report.check("net.ipv4.tcp_tw_reuse").fix()).contains("sysctl -w net.ipv4.tcp_tw_reuse=1");
    }

    @Test
    void theTextReportListsEveryCheckWithItsFixAndThePlan() throws IOException {
        ReadinessReport report = examine(FixtureMachine.laptop(), MILLION_HERE);

        String text = report.toText();
        for (ReadinessCheck c : report.checks()) {
            assertThat(text).contains(c.limit());
        }
        assertThat(text).contains("        fix: ulimit -Hn 1048576")
                .contains("plan: 2 server process(es) + 2 load-generator process(es), 71 source address(es)")
                .endsWith("overall: WARN" + System.lineSeparator());
    }
}
