package dev.c1m.nio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LineDecoderTest {

    private final CountingBufferSource buffers = new CountingBufferSource();
    private final LineDecoder decoder = new LineDecoder(100, buffers);
    private final List<String> lines = new ArrayList<>();

    private void feed(String text) throws ProtocolException {
        feed(text.getBytes(StandardCharsets.UTF_8));
    }

    private void feed(byte[] bytes) throws ProtocolException {
        ByteBuffer input = ByteBuffer.wrap(bytes);
        decoder.decode(input, lines::add);
        assertThat(input.hasRemaining()).as("input consumed completely").isFalse();
    }

    @Test
    void decodesManyLinesFromOneChunk() throws ProtocolException {
        feed("a\nbb\n\nccc\n");

        assertThat(lines).containsExactly("a", "bb", "", "ccc");
    }

    @Test
    void joinsALineSplitAcrossChunksAndHoldsABufferOnlyWhileItIsUnfinished() throws ProtocolException {
        feed("hel");
        assertThat(decoder.hasPartialLine()).isTrue();
        assertThat(buffers.outstanding()).isEqualTo(1);

        feed("lo\nwor");
        feed("ld\n");

        assertThat(lines).containsExactly("hello", "world");
        assertThat(decoder.hasPartialLine()).isFalse();
        assertThat(buffers.outstanding()).isZero();
    }

    @Test
    void dropsTheCarriageReturnOfCrLfEvenWhenSplitFromTheNewline() throws ProtocolException {
        feed("one\r\ntwo\r");
        feed("\n");

        assertThat(lines).containsExactly("one", "two");
    }

    @Test
    void decodesAMultiByteCharacterSplitAcrossChunks() throws ProtocolException {
        byte[] bytes = "né 🚀\n".getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            feed(new byte[] {b});
        }

        assertThat(lines).containsExactly("né 🚀");
    }

    @Test
    void acceptsALineOfExactlyTheLimitWithCrLf() throws ProtocolException {
        String max = "x".repeat(100);
        feed(max.substring(0, 60));
        feed(max.substring(60) + "\r");
        feed("\n");

        assertThat(lines).containsExactly(max);
    }

    @Test
    void rejectsALineOneByteOverTheLimitCompleteInOneChunk() {
        assertThatThrownBy(() -> feed("x".repeat(101) + "\n"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("100");
    }

    @Test
    void rejectsAnOverlongLineBeforeItsNewlineArrivesWithoutBufferingMoreThanTheLimit() throws ProtocolException {
        feed("x".repeat(90));

        assertThatThrownBy(() -> feed("x".repeat(20))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void finishReturnsALastLineWithoutNewlineAndReleasesItsBuffer() throws ProtocolException {
        feed("a\nlast");

        decoder.finish(lines::add);

        assertThat(lines).containsExactly("a", "last");
        assertThat(buffers.outstanding()).isZero();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 20261123})
    void decodesALongStreamCutAtRandomPointsDownToOneByteExactly(long seed) throws ProtocolException {
        Random random = new Random(seed);
        List<String> sent = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < 5_000; i++) {
            String line = randomLine(random);
            sent.add(line);
            stream.writeBytes((line + (random.nextBoolean() ? "\n" : "\r\n")).getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = stream.toByteArray();
        LineDecoder large = new LineDecoder(1000, buffers);

        for (int offset = 0; offset < bytes.length; ) {
            int chunk = Math.min(bytes.length - offset, random.nextInt(4) == 0 ? 1 : 1 + random.nextInt(300));
            large.decode(ByteBuffer.wrap(bytes, offset, chunk), lines::add);
            offset += chunk;
        }

        assertThat(lines).containsExactlyElementsOf(sent);
        assertThat(buffers.outstanding()).isZero();
    }

    static String randomLine(Random random) {
        String alphabet = "abcxyz 0123456789é你🚀";
        int length = random.nextInt(80);
        StringBuilder line = new StringBuilder();
        while (line.length() < length) {
            line.appendCodePoint(alphabet.codePoints().skip(random.nextInt((int) alphabet.codePoints().count()))
                    .findFirst().orElseThrow());
        }
        return line.toString();
    }
}
