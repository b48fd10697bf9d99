import { checkUserText, ErrorReason, LIMITS } from '@pixtale/shared';
import { badInput, conflict, notFound } from '../common/errors';
import { readLimited, type MediaService } from '../media/media.service';
import type { UploadLike } from '../post/post.service';
import type { ImageVariant, Store, UserRecord } from '../store';

/** The same rules as at sign-up. */
export const DISPLAY_NAME = { label: 'Display name', maxLength: LIMITS.displayNameMaxLength };
const BIO = { label: 'Bio', maxLength: LIMITS.bioMaxLength };

export interface ProfileChanges {
  displayName?: string | null;
  /** '' (or only whitespace) clears the bio. */
  bio?: string | null;
  avatar?: Promise<UploadLike> | UploadLike | null;
}

/** Profiles and follows. */
export class UserService {
  constructor(
    private readonly store: Store,
    private readonly media: MediaService,
    private readonly maxUploadBytes: number,
  ) {}

  get(id: string): Promise<UserRecord | null> {
    return this.store.users.findById(id);
  }

  async require(id: string): Promise<UserRecord> {
    const user = await this.store.users.findById(id);
    if (!user) throw notFound('User', id);
    return user;
  }

  async follow(followerId: string, userId: string): Promise<UserRecord> {
    if (followerId === userId)
      throw badInput('You cannot follow yourself', { reason: ErrorReason.CANNOT_FOLLOW_SELF, field: 'userId' });
    const user = await this.require(userId);
    if (!(await this.store.follows.follow(followerId, userId, new Date()))) {
      throw conflict('You already follow this user', ErrorReason.ALREADY_FOLLOWING);
    }
    return user;
  }

  async unfollow(followerId: string, userId: string): Promise<UserRecord> {
    const user = await this.require(userId);
    if (!(await this.store.follows.unfollow(followerId, userId)))
      throw conflict('You do not follow this user', ErrorReason.NOT_FOLLOWING);
    return user;
  }

  /**
   * Changes the given fields of your profile; absent (or null) ones stay. Text is normalised
   * (normalizeUserText) and checked like at sign-up; a new avatar goes through the image pipeline
   * (limits, EXIF stripped, a square), and the old file is removed when no one else uses it.
   */
  async updateProfile(userId: string, changes: ProfileChanges): Promise<UserRecord> {
    const patch: { displayName?: string; bio?: string } = {};
    if (changes.displayName != null) {
      const name = checkUserText(changes.displayName, DISPLAY_NAME);
      if (!name.ok) throw badInput(name.message, { field: 'displayName' });
      patch.displayName = name.text;
    }
    if (changes.bio != null) {
      if (changes.bio.trim() === '') patch.bio = '';
      else {
        const bio = checkUserText(changes.bio, BIO);
        if (!bio.ok) throw badInput(bio.message, { field: 'bio' });
        patch.bio = bio.text;
      }
    }
    const before = await this.require(userId);
    if (changes.avatar == null) return (await this.store.users.updateProfile(userId, patch)) ?? before;

    const file = await changes.avatar;
    const bytes = await readLimited(file.createReadStream(), this.maxUploadBytes);
    const updated = await this.media.ingestAvatarWhile(bytes, (avatar) =>
      this.store.users.updateProfile(userId, { ...patch, avatar }),
    );
    if (before.avatar && before.avatar.key !== updated?.avatar?.key) await this.removeAvatarIfUnused(before.avatar);
    if (!updated) throw notFound('User', userId);
    return updated;
  }

  private async removeAvatarIfUnused(avatar: ImageVariant) {
    await this.media.removeUnusedFile(avatar, async () => (await this.store.users.countByAvatarKey(avatar.key)) > 0);
  }
}
