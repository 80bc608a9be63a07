package dev.c1m.tuning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class LoadPlanTest {

    @Test
    void parsesAHoldRunWithDurationsAndDefaults() {
        LoadPlan plan = LoadPlan.parse("hold", "--port", "9000", "--connections", "20_000", "--hold", "2m",
                "--heartbeat", "500ms");

        assertThat(plan.mode()).isEqualTo(LoadMode.HOLD);
        assertThat(plan.connections()).isEqualTo(20_000);
        assertThat(plan.hold()).isEqualTo(Duration.ofMinutes(2));
        assertThat(plan.heartbeat()).isEqualTo(Duration.ofMillis(500));
        assertThat(plan.heartbeatReply()).isEqualTo(HeartbeatReply.EITHER);
        assertThat(plan.batchWindow()).isZero();
        assertThat(plan.destinations()).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.1");
        // auto: 20,000 / 14,000 per source address -> two source addresses
        assertThat(plan.sources()).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.2", "127.0.0.3");
    }

    @Test
    void rejectsAMissingOrUnknownMode() {
        assertThatThrownBy(() -> LoadPlan.parse("--port", "1")).hasMessageContaining("must be a mode");
        assertThatThrownBy(() -> LoadPlan.parse("flood", "--port", "1")).hasMessage(
                "unknown mode 'flood': use hold, echo or ramp");
    }

    @Test
    void rejectsBadValuesNamingTheOption() {
        assertThatThrownBy(() -> LoadPlan.parse("echo")).hasMessage("option --port is required");
        assertThatThrownBy(() -> LoadPlan.parse("echo", "--port", "70000")).hasMessageContaining("--port must be between 1 and 65535");
        assertThatThrownBy(() -> LoadPlan.parse("echo", "--port", "1", "--connections", "many"))
                .hasMessage("option --connections needs a whole number, got 'many'");
        assertThatThrownBy(() -> LoadPlan.parse("echo", "--port", "1", "--duration", "10 minutes"))
                .hasMessageContaining("--duration has unknown unit");
        assertThatThrownBy(() -> LoadPlan.parse("echo", "--port", "1", "--duration", "fast"))
                .hasMessageContaining("--duration needs a duration like 500ms");
        assertThatThrownBy(() -> LoadPlan.parse("hold", "--port", "1", "--heartbeat-reply", "pang"))
                .hasMessage("option --heartbeat-reply must be pong, echo or either, got 'pang'");
        assertThatThrownBy(() -> LoadPlan.parse("hold", "--port", "1", "--hosts", "localhost"))
                .hasMessage("option --hosts needs IP addresses, got 'localhost'");
        assertThatThrownBy(() -> LoadPlan.parse("hold", "--port", "1", "--reply-timeout", "0s"))
                .hasMessage("option --reply-timeout must be longer than 0");
        assertThatThrownBy(() -> LoadPlan.parse("hold", "--port", "1", "--turbo"))
                .hasMessage("unknown option --turbo");
    }

    @Test
    void refusesToPutMoreThanMaxPerPairOnOneSourceAddress() {
        assertThatThrownBy(() -> LoadPlan.parse("hold", "--port", "1", "--connections", "30000", "--sources", "2"))
                .hasMessageContaining("put 15000 on one source address, more than --max-per-pair 14000");
        assertThat(LoadPlan.parse("hold", "--port", "1", "--connections", "30000", "--sources", "3").sources()).hasSize(3);
    }

    @Test
    void sharesConnectionsRatesAndSourcesBetweenChildren() {
        LoadPlan plan = LoadPlan.parse("hold", "--port", "1", "--connections", "1001", "--connect-rate", "3000",
                "--sources", "4", "--batch-window", "25ms");

        LoadPlan first = plan.share(0, 2);
        LoadPlan second = plan.share(1, 2);

        assertThat(first.connections() + second.connections()).isEqualTo(1001);
        assertThat(first.connectRate() + second.connectRate()).isEqualTo(3000);
        assertThat(first.sources()).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.2", "127.0.0.4");
        assertThat(second.sources()).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.3", "127.0.0.5");
        assertThat(first.child()).isTrue();
        assertThat(second.batchWindow()).isEqualTo(Duration.ofMillis(25));
    }

    @Test
    void turnsBackIntoArgumentsThatParseToTheSamePlan() {
        LoadPlan plan = LoadPlan.parse("ramp", "--port", "7", "--hosts", "127.0.0.1,127.0.0.9", "--connections", "300",
                "--step", "100", "--step-duration", "2s", "--rate", "50", "--message-bytes", "64", "--batch-window", "5ms",
                "--json");

        assertThat(LoadPlan.parse(plan.toArgs().toArray(String[]::new))).isEqualTo(plan);
        assertThat(plan.steps()).isEqualTo(3);
        assertThat(plan.plannedDuration()).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void aSupervisorUsesAsManyProcessesAsTheDescriptorLimitRequires() {
        LoadPlan plan = LoadPlan.parse("hold", "--port", "1", "--connections", "50000", "--sources", "4");

        assertThat(LoadSupervisor.processesFor(plan, 20_000)).isEqualTo(3); // 19,936 per process
        assertThat(LoadSupervisor.processesFor(plan, 1_048_576)).isEqualTo(1);
        assertThat(LoadSupervisor.processesFor(LoadPlan.parse("hold", "--port", "1", "--processes", "5"), 20_000))
                .isEqualTo(5);
        assertThat(List.of(plan.share(0, 3).connections(), plan.share(1, 3).connections(), plan.share(2, 3).connections()))
                .containsExactly(16667, 16667, 16666);
    }
}
