package dev.c1m.tuning.bench;

import dev.c1m.nio.Connection;
import dev.c1m.tuning.bench.C1mRun.ServerKind;
import dev.c1m.tuning.demo.ServerNodeMain;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code C1mRun --server}: which worker main a run starts, with which options, and what its census counts. */
class C1mRunServerKindTest {

    @Test
    void courseRunsTheCourseWorkerWithItsLimitsItsBatchWindowAndAnIdleTimeoutOfThreeHeartbeats() {
        ServerKind course = ServerKind.parse("course");

        assertThat(course.workerMain).isEqualTo(ServerNodeMain.class);
        assertThat(course.perConnectionClass).isEqualTo(Connection.class.getName());
        assertThat(course.workerArgs(2, 17_000, Duration.ofSeconds(90), Duration.ofMillis(25))).containsExactly(
                "--reactors", "2", "--max-connections", "17000", "--idle-timeout-ms", "90000", "--batch-window-ms", "25");
    }

    @Test
    void bareRunsTheBareFloorWithNoOptionsAndCountsTheJdkChannels() {
        ServerKind bare = ServerKind.parse("bare");

        assertThat(bare.workerMain).isEqualTo(BareHeartbeatServerMain.class);
        assertThat(bare.perConnectionClass).isEqualTo("sun.nio.ch.SocketChannelImpl");
        assertThat(bare.workerArgs(2, 17_000, Duration.ofSeconds(90), Duration.ofMillis(25))).isEmpty();
    }

    @Test
    void anyOtherNameIsRefusedNamingTheTwoChoices() {
        assertThatThrownBy(() -> ServerKind.parse("Course"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--server must be course or bare, got Course");
    }
}
