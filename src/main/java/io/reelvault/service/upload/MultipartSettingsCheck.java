package io.reelvault.service.upload;

import io.quarkus.runtime.StartupEvent;
import io.reelvault.config.CommandMode;
import io.reelvault.config.ReelvaultConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses to start with a direct multipart part size S3 would refuse ({@link MultipartUploadService#checkedPartSize}),
 * instead of failing the first multipart upload; an operator command ({@link CommandMode}) makes none.
 */
@ApplicationScoped
class MultipartSettingsCheck {
    void onStart(@Observes StartupEvent event, ReelvaultConfig config, CommandMode commandMode) {
        if (!commandMode.active()) {
            MultipartUploadService.checkedPartSize(config);
        }
    }
}
