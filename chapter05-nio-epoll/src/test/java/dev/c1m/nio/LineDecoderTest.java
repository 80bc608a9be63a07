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

    @Test
    void decodeBytesHandsOverEachLinesBytesWithoutTerminatorAsAViewOfTheInput() throws ProtocolException {
        ByteBuffer input = ByteBuffer.wrap("ab\r\n\ncd\n".getBytes(StandardCharsets.US_ASCII));
        List<String> views = new ArrayList<>();

        decoder.decodeBytes(input, line -> views.add(line.position() + ".." + line.limit() + " same buffer: " + (line == input)));

        assertThat(views).containsExactly("0..2 same buffer: true", "4..4 same buffer: true", "5..7 same buffer: true");
        assertThat(input.position()).isEqualTo(input.limit()).isEqualTo(8);
        assertThat(buffers.outstanding()).as("no buffer for lines that arrive whole").isZero();
    }

    @Test
    void decodeBytesRestoresTheInputWhateverTheConsumerDidWithIt() throws ProtocolException {
        ByteBuffer input = ByteBuffer.wrap("one\ntwo\n".getBytes(StandardCharsets.US_ASCII));
        List<String> got = new ArrayList<>();

        decoder.decodeBytes(input, line -> {
            byte[] bytes = new byte[line.remaining()];
            line.get(bytes); // a consumer that reads with a relative get moves the position
            got.add(new String(bytes, StandardCharsets.US_ASCII));
        });

        assertThat(got).containsExactly("one", "two");
        assertThat(input.hasRemaining()).isFalse();
    }

    @Test
    void decodeBytesPassesInvalidUtf8UntouchedAndDecodeReplacesIt() throws ProtocolException {
        byte[] invalid = {'a', (byte) 0xff, (byte) 0xc3, '\n'};
        List<byte[]> raw = new ArrayList<>();

        decoder.decodeBytes(ByteBuffer.wrap(invalid), line -> raw.add(bytesOf(line)));
        feed(invalid);

        assertThat(raw).containsExactly(new byte[] {'a', (byte) 0xff, (byte) 0xc3});
        assertThat(lines).containsExactly("a\uFFFD\uFFFD");
    }

    @Test
    void decodeBytesJoinsALineSplitAcrossChunksAndFinishBytesHandsOverTheLastOne() throws ProtocolException {
        List<byte[]> raw = new ArrayList<>();
        for (String chunk : List.of("hel", "lo\r", "\nwor", "ld")) {
            decoder.decodeBytes(ByteBuffer.wrap(chunk.getBytes(StandardCharsets.US_ASCII)), line -> raw.add(bytesOf(line)));
        }
        decoder.finishBytes(line -> raw.add(bytesOf(line)));

        assertThat(raw).containsExactly("hello".getBytes(StandardCharsets.US_ASCII), "world".getBytes(StandardCharsets.US_ASCII));
        assertThat(buffers.outstanding()).isZero();
    }

    private static byte[] bytesOf(ByteBuffer line) {
        byte[] bytes = new byte[line.remaining()];
        line.get(line.position(), bytes);
        return bytes;
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
