package dev.c1m.echo.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class ProcessMeterTest {

    private static final String HISTOGRAM = """
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:          1000         104000  sun.nio.ch.SocketChannelImpl (java.base@25.0.3)
               2:            10          50000  [Ljdk.internal.vm.FillerElement; (java.base@25.0.3)
               3:          2000          48000  java.net.InetSocketAddress$InetSocketAddressHolder (java.base@25.0.3)
               4:          1000          24000  dev.c1m.nio.LineDecoder
            Total          4010         226000
            """;

    @Test
    void readsAStatLineAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 18 0 99 0 0";

        assertThat(ProcessMeter.parseStat(stat))
                .isEqualTo(new ProcessMeter.ProcStat(4242, "a (weird) name", 'S', 4194560, 99, 1234 + 567));
    }

    @Test
    void parsesAClassHistogramLeavingOutFillerArrays() {
        ProcessMeter.HeapCensus census = ProcessMeter.parseHistogram(HISTOGRAM);

        assertThat(census.totalBytes()).isEqualTo(176_000);
        assertThat(census.totalInstances()).isEqualTo(4_000);
        assertThat(census.bytesByClass()).containsEntry("sun.nio.ch.SocketChannelImpl", 104_000L)
                .containsEntry("dev.c1m.nio.LineDecoder", 24_000L)
                .doesNotContainKey(ProcessMeter.FILLER);
        assertThat(census.instancesOf("java.net.InetSocketAddress$InetSocketAddressHolder")).isEqualTo(2_000);
        assertThat(census.instancesOf(ProcessMeter.FILLER)).isZero();
    }

    @Test
    void addsCensusesClassByClassLargestFirst() {
        ProcessMeter.HeapCensus one = ProcessMeter.parseHistogram(HISTOGRAM);

        ProcessMeter.HeapCensus sum = ProcessMeter.sum(List.of(one, one));

        assertThat(sum.totalBytes()).isEqualTo(352_000);
        assertThat(sum.instancesOf("dev.c1m.nio.LineDecoder")).isEqualTo(2_000);
        assertThat(sum.bytesByClass().keySet()).first().isEqualTo("sun.nio.ch.SocketChannelImpl");
        assertThat(sum.bytesByClass()).containsEntry("java.net.InetSocketAddress$InetSocketAddressHolder", 96_000L);
    }

    @Test
    void scalesACensusOfSomeIdenticalProcessesToAllOfThemClassByClass() {
        ProcessMeter.HeapCensus three = ProcessMeter.sum(List.of(ProcessMeter.parseHistogram(HISTOGRAM),
                ProcessMeter.parseHistogram(HISTOGRAM), ProcessMeter.parseHistogram(HISTOGRAM)));

        ProcessMeter.HeapCensus sixty = three.scaled(60 / 3.0);

        assertThat(sixty.totalBytes()).isEqualTo(60 * 176_000L);
        assertThat(sixty.instancesOf("dev.c1m.nio.LineDecoder")).isEqualTo(60_000);
        assertThat(sixty.bytesByClass()).containsEntry("sun.nio.ch.SocketChannelImpl", 60 * 104_000L);
        assertThat(sixty.bytesByClass().keySet()).containsExactlyElementsOf(three.bytesByClass().keySet());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void readsAnotherProcessesMemoryCpuAndLiveHeap() throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of(), List.of("-Xmx64m"), HeapHolder.class)) {
            child.awaitLine("^holding$", Duration.ofSeconds(30));

            assertThat(ProcessMeter.rssBytes(child.pid())).isGreaterThan(4L << 20);
            assertThat(ProcessMeter.cpuNanos(child.pid())).isPositive();
            ProcessMeter.HeapCensus census = ProcessMeter.parseHistogram(ProcessMeter.jcmd(child.pid(), "GC.class_histogram"));
            assertThat(census.bytesByClass().get("[B")).isGreaterThanOrEqualTo(4L << 20);
        }
        assertThat(ProcessMeter.rssBytes(Long.MAX_VALUE)).as("a process that is gone").isZero();
    }

    /** Holds 4 MiB of byte arrays until killed. */
    public static final class HeapHolder {
        public static void main(String[] args) throws InterruptedException {
            byte[][] kept = new byte[64][];
            for (int i = 0; i < kept.length; i++) {
                kept[i] = new byte[64 * 1024];
            }
            System.out.println("holding");
            Thread.sleep(Long.MAX_VALUE);
            System.out.println(kept.length);
        }
    }
}
