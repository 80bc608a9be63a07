package dev.c1m.heartbeat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

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

    @ParameterizedTest
    @CsvSource({"0,0", "7,123456789", "1,-42", "9223372036854775807,-9223372036854775808",
            "10,-10", "9223372036854775807,9223372036854775807"})
    void putPingWritesTheSameBytesAsTheFormattedLine(long seq, long senderNanos) {
        ByteBuffer out = ByteBuffer.allocateDirect(HeartbeatProtocol.MAX_LINE_CHARS);

        HeartbeatProtocol.putPing(out, seq, senderNanos);

        byte[] written = new byte[out.flip().remaining()];
        out.get(written);
        assertThat(new String(written, StandardCharsets.US_ASCII)).isEqualTo(Heartbeat.ping(seq, senderNanos).toLine());
    }

    @ParameterizedTest
    @ValueSource(strings = {"PING 0 0", "PING 7 123456789", "PING 1 -42", "PING 9223372036854775807 -9223372036854775808",
            "PING 9223372036854775807 9223372036854775807"})
    void aPingSpelledAsItIsFormattedIsAnsweredByItsOwnBytesWithPongInFront(String line) {
        ByteBuffer bytes = ByteBuffer.wrap(("xx" + line + "yy").getBytes(StandardCharsets.US_ASCII), 2, line.length());

        assertThat(HeartbeatProtocol.isCanonicalPing(bytes)).isTrue();
        assertThat(bytes.position()).isEqualTo(2);
        assertThat(HeartbeatProtocol.pongLineOrNull(line)).isEqualTo("PONG" + line.substring(4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PING 007 1", "PING 1 -0", "PING 1 01", "PING -0 1", "PING 9223372036854775808 1",
            "PING 1 9223372036854775808", "PING 1 -9223372036854775809", "PING 10000000000000000000 1",
            "PONG 1 2", "PING 1 2 ", "PING 1  2", "PING 1", "PING x 2", "PING 1 y", "ping 1 2", "PING\u00e9 1 2", "hello"})
    void anyOtherLineIsLeftToTheStringPath(String line) {
        ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));

        assertThat(HeartbeatProtocol.isCanonicalPing(bytes)).isFalse();
    }

    @Test
    void onlyAPingCanBeAnswered() {
        assertThatThrownBy(() -> new Heartbeat(Heartbeat.Kind.PONG, 1, 1).pong())
                .isInstanceOf(IllegalStateException.class);
    }
}
