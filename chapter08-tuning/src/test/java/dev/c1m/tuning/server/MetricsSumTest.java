package dev.c1m.tuning.server;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsSumTest {

    private static final String WORKER_A = """
            # HELP c1m_connections Connections open now.
            # TYPE c1m_connections gauge
            c1m_connections 3
            # HELP c1m_accepted_total Connections accepted.
            # TYPE c1m_accepted_total counter
            c1m_accepted_total 10
            # HELP c1m_errors_total Errors by kind.
            # TYPE c1m_errors_total counter
            c1m_errors_total{kind="reset"} 2
            """;
    private static final String WORKER_B = """
            # HELP c1m_connections Connections open now.
            # TYPE c1m_connections gauge
            c1m_connections 4
            # HELP c1m_accepted_total Connections accepted.
            # TYPE c1m_accepted_total counter
            c1m_accepted_total 5
            c1m_not_a_sample
            # HELP c1m_errors_total Errors by kind.
            # TYPE c1m_errors_total counter
            c1m_errors_total{kind="reset"} 1
            c1m_errors_total{kind="refused"} 7
            """;

    @Test
    void addsEverySeriesLabelsIncludedKeepsEachFamilysHeadersOnceAndSkipsAMalformedLine() {
        String sum = MetricsSum.of(List.of(WORKER_A, WORKER_B));

        assertThat(MetricsSum.valueOf(sum, "c1m_connections")).hasValue(7);
        assertThat(MetricsSum.valueOf(sum, "c1m_accepted_total")).hasValue(15);
        assertThat(MetricsSum.valueOf(sum, "c1m_errors_total{kind=\"reset\"}")).hasValue(3);
        assertThat(MetricsSum.valueOf(sum, "c1m_errors_total{kind=\"refused\"}")).hasValue(7);
        assertThat(sum.lines().filter(line -> line.equals("# TYPE c1m_accepted_total counter"))).hasSize(1);
        assertThat(sum).doesNotContain("c1m_not_a_sample");
    }

    @Test
    void keepsOnlyTheCounterFamiliesOfAnExposition() {
        String counters = MetricsSum.countersOf(WORKER_B);

        assertThat(MetricsSum.valueOf(counters, "c1m_accepted_total")).hasValue(5);
        assertThat(MetricsSum.valueOf(counters, "c1m_errors_total{kind=\"refused\"}")).hasValue(7);
        assertThat(MetricsSum.valueOf(counters, "c1m_connections")).isEmpty();
        assertThat(counters).contains("# TYPE c1m_accepted_total counter").doesNotContain("gauge");
    }
}
