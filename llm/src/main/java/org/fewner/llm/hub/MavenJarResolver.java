package org.fewner.llm.hub;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.transfer.AbstractTransferListener;
import org.eclipse.aether.transfer.TransferEvent;

/**
 * Resolves one artifact the way Maven does (maven-resolver 2.0.17, stack.md §8): the local
 * repository ({@code ~/.m2/repository}, or {@code -Dmaven.repo.local}) first, so an artifact
 * already there resolves offline; else a download from Maven Central with the checksum policy
 * "fail" (Central's {@code .sha1} must match).
 */
public final class MavenJarResolver {
    /** Maven Central, as in Maven's super POM. */
    public static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

    private MavenJarResolver() {}

    /** {@code -Dmaven.repo.local}, else {@code ~/.m2/repository}. */
    public static Path localRepository() {
        String p = System.getProperty("maven.repo.local");
        return p != null && !p.isBlank()
                ? Paths.get(p)
                : Paths.get(System.getProperty("user.home"), ".m2", "repository");
    }

    /** Resolves {@code groupId:artifactId:version} (a jar) into {@link #localRepository()}. */
    public static Path resolve(String coords, boolean showProgress) throws IOException {
        return resolve(coords, localRepository(), CENTRAL, showProgress);
    }

    /**
     * Resolves {@code coords} into {@code localRepo}, downloading from {@code remoteUrl} when
     * absent.
     *
     * @throws IOException when the artifact can be neither found locally nor downloaded (the
     *     message says which)
     */
    public static Path resolve(
            String coords, Path localRepo, String remoteUrl, boolean showProgress)
            throws IOException {
        RepositorySystem system = new RepositorySystemSupplier().get();
        try {
            RepositoryPolicy policy =
                    new RepositoryPolicy(
                            true,
                            RepositoryPolicy.UPDATE_POLICY_NEVER,
                            RepositoryPolicy.CHECKSUM_POLICY_FAIL);
            RemoteRepository central =
                    new RemoteRepository.Builder("central", "default", remoteUrl)
                            .setReleasePolicy(policy)
                            .setSnapshotPolicy(
                                    new RepositoryPolicy(
                                            false,
                                            RepositoryPolicy.UPDATE_POLICY_NEVER,
                                            RepositoryPolicy.CHECKSUM_POLICY_FAIL))
                            .build();
            DownloadProgress progress = showProgress ? new DownloadProgress() : null;
            RepositorySystemSession.SessionBuilder builder =
                    system.createSessionBuilder()
                            .withLocalRepositoryBaseDirectories(localRepo)
                            .setSystemProperties(System.getProperties())
                            .setChecksumPolicy(RepositoryPolicy.CHECKSUM_POLICY_FAIL);
            if (progress != null) {
                builder.setTransferListener(progress);
            }
            try (RepositorySystemSession.CloseableSession session = builder.build()) {
                return system.resolveArtifact(
                                session,
                                new ArtifactRequest(
                                        new DefaultArtifact(coords), List.of(central), null))
                        .getArtifact()
                        .getPath();
            } catch (ArtifactResolutionException e) {
                throw new IOException(
                        "cannot resolve "
                                + coords
                                + " (not in "
                                + localRepo
                                + " and not downloadable from "
                                + remoteUrl
                                + "; offline? then copy the jar into the local repository): "
                                + e.getMessage(),
                        e);
            } finally {
                if (progress != null) {
                    progress.close();
                }
            }
        } finally {
            system.shutdown();
        }
    }

    /** A progress bar on stderr for the jar download (checksum files are not shown). */
    private static final class DownloadProgress extends AbstractTransferListener {
        private ProgressBar bar;

        @Override
        public void transferStarted(TransferEvent event) {
            String name = event.getResource().getResourceName();
            long len = event.getResource().getContentLength();
            if (name.endsWith(".jar") && bar == null) {
                bar =
                        Progress.bytes(
                                "download " + name.substring(name.lastIndexOf('/') + 1),
                                Math.max(len, 1));
            }
        }

        @Override
        public void transferProgressed(TransferEvent event) {
            if (bar != null && event.getResource().getResourceName().endsWith(".jar")) {
                bar.stepBy(event.getDataLength());
            }
        }

        void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
