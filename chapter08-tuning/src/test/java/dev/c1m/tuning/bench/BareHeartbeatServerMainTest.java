package dev.c1m.tuning.bench;

import dev.c1m.echo.LineClient;
import dev.c1m.lifecycle.ShutdownReport;
import dev.c1m.tuning.server.WorkerSupervisor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The bare benchmark server keeps ServerNodeMain's contract, so the C1M run's supervisor and report can drive it. */
@Timeout(60)
class BareHeartbeatServerMainTest {

    private WorkerSupervisor supervisor;

    @AfterEach
    void stopWorker() throws InterruptedException {
        if (supervisor != null) {
            supervisor.close();
        }
    }

    @Test
    void answersPingsWithPongsAndOtherLinesWithEchoesAndCountsThemInTheSupervisorsMetrics() throws Exception {
        supervisor = WorkerSupervisor.start(BareHeartbeatServerMain.class, 1, "127.0.0.1", 0,
                List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), List.of());

        try (LineClient client = LineClient.connect(new InetSocketAddress("127.0.0.1", supervisor.port()), Duration.ofSeconds(10))) {
            assertThat(client.request("PING 7 123456")).isEqualTo("PONG 7 123456");
            assertThat(client.request("hello")).isEqualTo("echo: hello");
            assertThat(client.request("PING 8 123457")).isEqualTo("PONG 8 123457");
            String metrics = supervisor.scrapeSum();
            assertThat(metrics).containsPattern("(?m)^c1m_heartbeats_total 2$").containsPattern("(?m)^c1m_connections 1$");

            ShutdownReport stopped = supervisor.stop(Duration.ofSeconds(5));
            assertThat(stopped.openAtStart()).as("the drained line counts the connection still open").isEqualTo(1);
        }
    }
}
