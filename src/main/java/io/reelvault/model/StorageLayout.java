package io.reelvault.model;

/**
 * The key layout of DESIGN.md, built only from typed values. Nothing else in the service builds a
 * key from text.
 */
public final class StorageLayout {
    private StorageLayout() {}

    /** {@code uploads/{user_id}/} */
    public static KeyPrefix uploadsOf(UserId user) {
        return new KeyPrefix(Area.UPLOADS.segment() + "/" + user.value() + "/");
    }

    /** {@code uploads/{user_id}/{upload_id}/} */
    public static KeyPrefix upload(UserId user, UploadId upload) {
        return new KeyPrefix(uploadsOf(user).value() + upload.value() + "/");
    }

    /** {@code uploads/{user_id}/{upload_id}/original.{ext}} */
    public static ObjectKey uploadOriginal(UserId user, UploadId upload, FileType type) {
        return new ObjectKey(upload(user, upload).value() + "original." + type.extension());
    }

    /** {@code uploads/{user_id}/{upload_id}/pending.json}: a presigned upload not yet completed. */
    public static ObjectKey uploadPending(UserId user, UploadId upload) {
        return new ObjectKey(upload(user, upload).value() + "pending.json");
    }

    /** {@code uploads/{user_id}/{upload_id}/metadata.json} */
    public static ObjectKey uploadMetadata(UserId user, UploadId upload) {
        return new ObjectKey(upload(user, upload).value() + "metadata.json");
    }
}
