package dev.c1m.heartbeat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class HeartbeatProtocolTest {

    @Test
    void formatsAPingAsKeywordSequenceAndSenderTime() {
        assertThat(Heartbeat.ping(7, 123_456_789).toLine()).isEqualTo("PING 7 123456789");
    }

    @Test
    void answersAPingWithAPongCarryingTheSameNumbers() {
        assertThat(Heartbeat.ping(7, -42).pong().toLine()).isEqualTo("PONG 7 -42");
    }

    @Test
    void parsesWhatItFormats() {
        Heartbeat ping = Heartbeat.ping(Long.MAX_VALUE, Long.MIN_VALUE);

        assertThat(HeartbeatProtocol.parseOrNull(ping.toLine())).isEqualTo(ping);
        assertThat(HeartbeatProtocol.parseOrNull(ping.pong().toLine())).isEqualTo(ping.pong());
    }

    @Test
    void theLongestValidLineFitsTheDeclaredMaximum() {
        assertThat(Heartbeat.ping(Long.MAX_VALUE, Long.MIN_VALUE).toLine()).hasSize(HeartbeatProtocol.MAX_LINE_CHARS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PING", "PING ", "PING 1", "PING 1 ", "PING x 2", "PING 1 y", "PING -1 2", "PING 1 2 3",
            "PING  1 2", "PING +1 2", "PING 1 -", "PING 99999999999999999999 1", "PING 1 99999999999999999999",
            "PONG 1", "PONG a b"})
    void rejectsLinesThatStartLikeAHeartbeatButBreakTheGrammar(String line) {
        assertThat(HeartbeatProtocol.parseOrNull(line)).isNull();
        assertThat(HeartbeatProtocol.classify(line)).isEqualTo(HeartbeatProtocol.LineType.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "", "ping 1 2", "PINGER 1 2", "PONGS", " PING 1 2", "PIN 1 2"})
    void leavesOtherLinesToTheEchoProtocol(String line) {
        assertThat(HeartbeatProtocol.classify(line)).isEqualTo(HeartbeatProtocol.LineType.OTHER);
    }

    @Test
    void serverRepliesPongToPingEchoToOtherLinesNothingToPongAndAnErrorToMalformedHeartbeats() {
        assertThat(HeartbeatEchoProtocol.replyTo("PING 3 99")).isEqualTo("PONG 3 99");
        assertThat(HeartbeatEchoProtocol.replyTo("hello")).isEqualTo("echo: hello");
        assertThat(HeartbeatEchoProtocol.replyTo("PONG 3 99")).isNull();
        assertThat(HeartbeatEchoProtocol.replyTo("PING now")).isEqualTo(HeartbeatProtocol.MALFORMED_REPLY);
    }

    @Test
    void onlyAPingCanBeAnswered() {
        assertThatThrownBy(() -> new Heartbeat(Heartbeat.Kind.PONG, 1, 1).pong())
                .isInstanceOf(IllegalStateException.class);
    }
}
