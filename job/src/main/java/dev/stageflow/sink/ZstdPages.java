package dev.stageflow.sink;

import dev.stageflow.store.Codec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Zstandard compression of the lineage table's pages without Hadoop. Parquet's own codecs implement
 * Hadoop's {@code CompressionCodec} and need Hadoop on the classpath, which the official Flink
 * image does not have; this one is the store's Zstandard (zstd-jni), writing standard frames that
 * every Parquet reader decodes. Writing only: nothing in the job reads the table.
 */
final class ZstdPages implements CompressionCodecFactory {

    /** Zstandard's default level: the table is small, its speed matters more than the last percent. */
    private static final int LEVEL = 3;

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        if (codec != CompressionCodecName.ZSTD) {
            throw new IllegalArgumentException("The lineage table is written with ZSTD, not " + codec);
        }
        return new BytesInputCompressor() {
            @Override
            public BytesInput compress(BytesInput page) throws IOException {
                ByteArrayOutputStream raw = new ByteArrayOutputStream(Math.toIntExact(page.size()));
                page.writeAllTo(raw);
                return BytesInput.from(Codec.ZSTD.compress(raw.toByteArray(), LEVEL));
            }

            @Override
            public CompressionCodecName getCodecName() {
                return CompressionCodecName.ZSTD;
            }

            @Override
            public void release() {}
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        throw new UnsupportedOperationException("The job writes the lineage table and never reads it");
    }

    @Override
    public void release() {}
}
