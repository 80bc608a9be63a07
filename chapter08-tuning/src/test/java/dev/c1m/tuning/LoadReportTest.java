package dev.c1m.tuning;

import dev.c1m.concurrency.load.LatencyHistogram;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

@Timeout(10)
class LoadReportTest {

    private static LoadReport report(long connected, long sent, long answered, ErrorKind error, long... latencies) {
        LatencyHistogram h = new LatencyHistogram();
        for (long l : latencies) {
            h.record(l);
        }
        Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
        if (error != null) {
            errors.put(error, sent - answered);
        }
        LatencyHistogram stepLatency = new LatencyHistogram();
        stepLatency.add(h);
        return new LoadReport(LoadMode.RAMP, 1, connected, connected, connected, connected, connected, 1_000_000_000L,
                2_000_000_000L, sent, answered, sent - answered, errors, h,
                List.of(new LoadReport.Step(connected, 2_000_000_000L, sent, answered, sent - answered, answered / 4,
                        stepLatency)));
    }

    @Test
    void survivesEncodingForTheTripFromAChildProcess() {
        LoadReport original = report(500, 100, 97, ErrorKind.RESET, 1_000, 2_000_000, 30_000_000);

        LoadReport decoded = LoadReport.decode(original.encode());

        assertThat(decoded.encode()).isEqualTo(original.encode());
        assertThat(decoded.toJson()).isEqualTo(original.toJson());
    }

    @Test
    void mergingAddsCountsErrorsAndStepsAndKeepsTheWorstLatency() {
        LoadReport merged = LoadReport.merge(List.of(report(500, 100, 97, ErrorKind.RESET, 1_000, 50_000_000),
                report(400, 10, 8, ErrorKind.REPLY_TIMEOUT, 2_000)));

        assertThat(merged.processes()).isEqualTo(2);
        assertThat(merged.connected()).isEqualTo(900);
        assertThat(merged.sent()).isEqualTo(merged.answered() + merged.failed()).isEqualTo(110);
        assertThat(merged.errors()).containsEntry(ErrorKind.RESET, 3L).containsEntry(ErrorKind.REPLY_TIMEOUT, 2L);
        assertThat(merged.latency().count()).isEqualTo(3);
        assertThat(merged.latency().max()).isEqualTo(Duration.ofMillis(50));
        assertThat(merged.steps()).singleElement().satisfies(s -> {
            assertThat(s.connections()).isEqualTo(900);
            assertThat(s.answered()).isEqualTo(105);
            assertThat(s.wakeUps()).isEqualTo(97 / 4 + 8 / 4);
        });
        assertThat(merged.connectsPerSecond()).isEqualTo(900.0);
    }

    @Test
    void csvRowsMatchTheHeaderColumnByColumn() {
        LoadReport r = report(500, 100, 97, ErrorKind.RESET, 1_000_000);

        assertThat(r.csvRows()).singleElement().satisfies(row ->
                assertThat(row.split(",")).hasSameSizeAs(LoadReport.CSV_HEADER.split(",")));
        assertThat(r.csvRows().getFirst()).startsWith("ramp,1,500,500,500,500.0,100,97,3,48.5,").endsWith(",RESET=3");
    }

    @Test
    void itsStepRowsStartAtEachStepsTimeOnTheLoadsClock() {
        List<LoadReport.Step> steps = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            LatencyHistogram h = new LatencyHistogram();
            h.record(Duration.ofMillis(k + 1).toNanos());
            steps.add(new LoadReport.Step(1000, 10_000_000_000L, 1, 1, 0, 1, h));
        }
        LoadReport report = new LoadReport(LoadMode.HOLD, 1, 1000, 1000, 1000, 1000, 1000, 0, 30_000_000_000L, 3, 3,
                0, Map.of(), new LatencyHistogram(), steps);

        List<String> rows = report.stepRows(Duration.ofSeconds(10));

        assertThat(rows).hasSize(4);
        assertThat(rows.getFirst()).startsWith("load_seconds,connections,sent,answered,failed,wake_ups,p50_ms,p99_ms");
        // the third step: from 20 s, one round trip of 3 ms, one wake-up
        assertThat(rows.get(3).split(",")).startsWith("20", "1000", "1", "1", "0", "1");
        assertThat(Double.parseDouble(rows.get(3).split(",")[7])).isCloseTo(3.0, offset(0.1));
    }
}
