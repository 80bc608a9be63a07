package dev.c1m.tuning.bench;

import dev.c1m.echo.LineClient;
import dev.c1m.lifecycle.ServerLimits;
import dev.c1m.tuning.MetricsRegistry;
import dev.c1m.tuning.server.NodeSettings;
import dev.c1m.tuning.server.ServerNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The report's {@code refused at admission} line: what it reads from the workers' metrics. */
@Timeout(30)
class C1mRunRefusedAtAdmissionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void countsEveryConnectionAWorkerRefusedFromItsExposedMetrics() throws IOException {
        try (ServerNode node = ServerNode.start("refusals", NodeSettings.defaults().withAdmission(1, 1, 0), ServerLimits::defaults);
             LineClient admitted = LineClient.connect(node.localAddress(), TIMEOUT);
             LineClient first = LineClient.connect(node.localAddress(), TIMEOUT);
             LineClient second = LineClient.connect(node.localAddress(), TIMEOUT)) {
            assertThat(admitted.request("PING 1 1")).isEqualTo("PONG 1 1");
            assertThat(first.readLine()).isEqualTo("error: server busy");
            assertThat(second.readLine()).isEqualTo("error: server busy");
            MetricsRegistry registry = new MetricsRegistry();
            node.registerMetrics(registry);

            assertThat(C1mRun.refusedAtAdmission(registry.scrape())).isEqualTo(2);
        }
    }

    @Test
    void anExpositionWithoutTheCounterCountsNone() {
        assertThat(C1mRun.refusedAtAdmission("c1m_connections 5\n")).isZero();
    }
}
