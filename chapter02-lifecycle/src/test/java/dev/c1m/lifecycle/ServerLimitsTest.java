package dev.c1m.lifecycle;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerLimitsTest {

    @Test
    void parsesEveryKey() {
        ServerLimits limits = ServerLimits.parse("""
                idle.timeout.ms = 1500
                write.timeout.ms = 2_500
                max.line.bytes = 100
                shutdown.grace.ms = 0
                """);

        assertThat(limits).isEqualTo(new ServerLimits(Duration.ofMillis(1500), Duration.ofMillis(2500), 100,
                Duration.ZERO));
    }

    @Test
    void missingKeysTakeTheirDefaults() {
        assertThat(ServerLimits.parse("max.line.bytes=8192\n")).isEqualTo(ServerLimits.defaults());
    }

    @Test
    void rejectsAFileWithNoSettingsWhichIsUsuallyOneBeingWritten() {
        assertThatThrownBy(() -> ServerLimits.parse("# only a comment\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no settings");
    }

    @Test
    void roundTripsThroughItsPropertiesText() {
        ServerLimits limits = new ServerLimits(Duration.ofSeconds(3), Duration.ofSeconds(4), 512, Duration.ofSeconds(5));

        assertThat(ServerLimits.parse(limits.toProperties())).isEqualTo(limits);
    }

    @Test
    void rejectsAnUnknownKeyByName() {
        assertThatThrownBy(() -> ServerLimits.parse("idle.timeout=100\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown key(s) [idle.timeout]");
    }

    @Test
    void rejectsAValueThatIsNotANumber() {
        assertThatThrownBy(() -> ServerLimits.parse("max.line.bytes=lots\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max.line.bytes must be a whole number, got 'lots'");
    }

    @Test
    void rejectsAValueOutOfRange() {
        assertThatThrownBy(() -> ServerLimits.parse("idle.timeout.ms=0\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idle.timeout.ms must be between 1");
    }
}
