package dev.gateway.storage.cassandra.guice;

import java.io.FileNotFoundException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Set;

import javax.inject.Singleton;

import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.blob.api.BlobId;
import org.apache.james.blob.api.BlobReferenceSource;
import org.apache.james.blob.api.BlobStoreDAO;
import org.apache.james.blob.api.HashBlobId;
import org.apache.james.server.blob.deduplication.BlobGCTaskAdditionalInformationDTO;
import org.apache.james.server.blob.deduplication.BlobGCTaskDTO;
import org.apache.james.server.blob.deduplication.GenerationAwareBlobId;
import org.apache.james.server.task.json.dto.AdditionalInformationDTO;
import org.apache.james.server.task.json.dto.AdditionalInformationDTOModule;
import org.apache.james.server.task.json.dto.TaskDTO;
import org.apache.james.server.task.json.dto.TaskDTOModule;
import org.apache.james.task.Task;
import org.apache.james.task.TaskExecutionDetails;
import org.apache.james.util.DurationParser;
import org.apache.james.utils.PropertiesProvider;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.routes.BlobRoutes;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.google.inject.name.Named;

/**
 * Getting the disk back from deleted mail. The blob store de-duplicates (a body delivered to ten users is stored
 * once), so deleting a message cannot delete its bytes: another message may use them, and James's
 * {@code DeDuplicationBlobStore} ignores deletes. What reclaims them is James's blob garbage collection, which this
 * module wires:
 * <ul>
 *     <li>every blob id carries a <em>generation</em> (the time it was written, in steps of
 *     {@code deduplication.gc.generation.duration}, default {@value #DEFAULT_GENERATION}): James's
 *     {@link GenerationAwareBlobId}, around the content hash. Ids written before carry none and parse as they
 *     were;</li>
 *     <li>{@code DELETE /blobs?scope=unreferenced} on WebAdmin ({@link BlobRoutes}) starts a task that lists what
 *     every {@link BlobReferenceSource} still uses (messages, attachments, mail repositories: bound beside their
 *     stores) into a Bloom filter, then deletes each blob that is not in it and is older than the current and the
 *     previous generation. A blob written while the task runs, or just before its reference, is never deleted; a
 *     false positive of the filter (1 % by default) only keeps a blob for the next run.</li>
 * </ul>
 *
 * <p>Settings, in {@code cassandra.properties}:
 * <pre>{@code
 * deduplication.gc.generation.duration=1d   # GATEWAY_BLOB_GENERATION
 * deduplication.gc.generation.family=1
 * }</pre>
 * Change the family only to start over (blobs of another family are collected as soon as they are unreferenced).
 */
public final class CassandraBlobCollectionModule extends AbstractModule {

    /**
     * A day, not James's 30: the bytes of deleted mail come back one to two days after they were written rather than
     * one to two months. A generation only has to outlast a collection run and the moment between writing a blob and
     * its reference, both far shorter.
     */
    static final String DEFAULT_GENERATION = "1d";
    private static final String GENERATION_DURATION = "deduplication.gc.generation.duration";
    private static final String GENERATION_FAMILY = "deduplication.gc.generation.family";

    @Override
    protected void configure() {
        bind(BlobId.Factory.class).to(GenerationAwareBlobId.Factory.class);
        Multibinder.newSetBinder(binder(), Routes.class).addBinding().to(BlobRoutes.class);
    }

    @Provides
    @Singleton
    GenerationAwareBlobId.Configuration generations(PropertiesProvider properties)
            throws ConfigurationException, FileNotFoundException {
        org.apache.commons.configuration2.Configuration cassandra = properties.getConfiguration("cassandra");
        return GenerationAwareBlobId.Configuration.builder()
            .duration(DurationParser.parse(cassandra.getString(GENERATION_DURATION, DEFAULT_GENERATION), ChronoUnit.DAYS))
            .family(cassandra.getInt(GENERATION_FAMILY, GenerationAwareBlobId.Configuration.DEFAULT_FAMILY));
    }

    @Provides
    @Singleton
    GenerationAwareBlobId.Factory blobIds(Clock clock, HashBlobId.Factory hashes, GenerationAwareBlobId.Configuration generations) {
        return new GenerationAwareBlobId.Factory(clock, hashes, generations);
    }

    /** Lets a collection task be listed and described through {@code /tasks} like James's own. */
    @ProvidesIntoSet
    TaskDTOModule<? extends Task, ? extends TaskDTO> collectionTask(BlobStoreDAO blobs, GenerationAwareBlobId.Factory ids,
            GenerationAwareBlobId.Configuration generations, Set<BlobReferenceSource> references, Clock clock) {
        return BlobGCTaskDTO.module(blobs, ids, generations, references, clock);
    }

    @ProvidesIntoSet
    AdditionalInformationDTOModule<? extends TaskExecutionDetails.AdditionalInformation, ? extends AdditionalInformationDTO> collectionDetails() {
        return BlobGCTaskAdditionalInformationDTO.SERIALIZATION_MODULE;
    }

    @Named("webadmin-dto")
    @ProvidesIntoSet
    AdditionalInformationDTOModule<? extends TaskExecutionDetails.AdditionalInformation, ? extends AdditionalInformationDTO> webAdminCollectionDetails() {
        return BlobGCTaskAdditionalInformationDTO.SERIALIZATION_MODULE;
    }
}
