package dev.c1m.tuning.bench;

import dev.c1m.tuning.LoadPlan;
import dev.c1m.tuning.bench.C1mRun.ServerKind;
import dev.c1m.tuning.bench.C1mRun.Settings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code C1mRun} checks every plan it will hand a load process, and the workers' limits, before
 * it changes a kernel setting or starts a JVM: a value a later stage refuses fails at once.
 */
class C1mRunPlanCheckTest {

    private static Settings settings(long connections, Duration heartbeat, int connectRate, int busy,
                                     Duration serverBatchWindow, long descriptorLimit) {
        return new Settings(connections, Duration.ofMinutes(10), heartbeat, connectRate, busy, Duration.ofSeconds(30),
                ServerKind.COURSE, serverBatchWindow, Duration.ZERO, descriptorLimit, Path.of("unused"), false);
    }

    private static Settings aMillion() {
        return settings(1_000_000, Duration.ofSeconds(30), 15_000, 1_000, Duration.ofMillis(10), 20_000);
    }

    @Test
    void theDefaultMillionPasses() {
        assertThatCode(() -> C1mRun.checkBeforeStarting(aMillion())).doesNotThrowAnyException();
    }

    @Test
    void aBusyEchoBeyondOneSourceAddressGetsAsManyAddressesAsItNeeds() {
        Settings busy = settings(1_000_000, Duration.ofSeconds(30), 15_000, 100_000, Duration.ofMillis(10), 20_000);

        LoadPlan echo = C1mRun.busyPlan(busy, 9000, Duration.ofSeconds(30));

        assertThat(echo.sources()).hasSize(8); // 100,000 over 14,000 per address
        assertThatCode(() -> C1mRun.checkBeforeStarting(busy)).doesNotThrowAnyException();
    }

    @Test
    void refusesAHeartbeatOfZeroSinceTheWorkersIdleTimeoutIsThreeOfThem() {
        Settings none = settings(1_000_000, Duration.ZERO, 15_000, 0, Duration.ofMillis(10), 20_000);

        assertThatThrownBy(() -> C1mRun.checkBeforeStarting(none)).hasMessageContaining("--heartbeat");
    }

    @Test
    void refusesAServerBatchWindowTheWorkersWouldRefuse() {
        Settings slow = settings(1_000_000, Duration.ofSeconds(30), 15_000, 0, Duration.ofSeconds(2), 20_000);

        assertThatThrownBy(() -> C1mRun.checkBeforeStarting(slow)).hasMessageContaining("--server-batch-window");
    }

    @Test
    void refusesAConnectRateTheLoadGeneratorWouldRefuse() {
        Settings tooFast = settings(1_000_000, Duration.ofSeconds(30), 20_000_000, 0, Duration.ofMillis(10), 20_000);

        assertThatThrownBy(() -> C1mRun.checkBeforeStarting(tooFast)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesMoreSourceAddressesThanTheLoadGeneratorAllows() {
        Settings tinyProcesses = settings(400_000, Duration.ofSeconds(30), 15_000, 0, Duration.ofMillis(10), 1_300);

        assertThatThrownBy(() -> C1mRun.checkBeforeStarting(tinyProcesses)).isInstanceOf(IllegalArgumentException.class);
    }
}
