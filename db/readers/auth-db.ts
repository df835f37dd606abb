import type { Db } from '../client';
import * as content from '../content/content';
import * as history from '../delivery/history';
import * as notifications from '../delivery/notifications';
import * as preferences from './preferences';
import type { ContentItem, ContentType, EmailTemplate, NotificationStatus, Session, UnsubscribeToken, User } from '../schema';
import * as sessions from './sessions';
import * as statistics from '../delivery/statistics';
import * as templates from '../content/templates';
import * as tokens from './unsubscribe-tokens';
import * as users from './users';

/**
 * The original system's `AuthDB`, method for method, over the domain functions of `db/`. New code may
 * call the domain functions directly; this facade keeps the documented names and shapes.
 * Where the original returns `void` we return what the caller needs to know (ids, booleans).
 */
export class AuthDB {
  constructor(private readonly db: Db) {}

  // Users and sessions
  createUser(params: users.CreateUserParams): Promise<User> {
    return users.createUser(this.db, params);
  }
  getUserByEmail(email: string): Promise<User | undefined> {
    return users.getUserByEmail(this.db, email);
  }
  getUserById(id: string): Promise<User | undefined> {
    return users.getUserById(this.db, id);
  }
  createSession(userId: string, params: { tokenHash: string; expiresAt: Date }): Promise<Session> {
    return sessions.createSession(this.db, userId, params);
  }
  validateSession(tokenHash: string, now?: Date): Promise<{ session: Session; user: User } | null> {
    return sessions.validateSession(this.db, tokenHash, now);
  }
  deleteSession(tokenHash: string): Promise<boolean> {
    return sessions.deleteSession(this.db, tokenHash);
  }
  /** Seconds against seconds: the original system bound Date.now() (ms) here, which expired every session. */
  cleanupExpiredSessions(now?: Date): Promise<number> {
    return sessions.cleanupExpiredSessions(this.db, now);
  }

  // Email notifications
  createEmailNotification(params: notifications.CreateEmailNotificationParams): Promise<string> {
    return notifications.createEmailNotification(this.db, params);
  }
  getSubscribersForContentType(contentType: ContentType): Promise<User[]> {
    return notifications.getSubscribersForContentType(this.db, contentType);
  }
  updateNotificationStatus(notificationId: string, status: NotificationStatus, errorMessage?: string | null, emailMessageId?: string | null): Promise<boolean> {
    return notifications.updateNotificationStatus(this.db, notificationId, status, errorMessage, emailMessageId);
  }
  /** The set-based fan-out that replaces the original system's loop of createEmailNotification. */
  enqueueNotificationsForContent(item: ContentItem, opts?: notifications.FanOutOptions): Promise<number> {
    return notifications.enqueueNotificationsForContent(this.db, item, opts);
  }
  /** Takes a real notification id or null; the original system wrote a fake id that no row has. */
  createNotificationHistory(params: history.CreateNotificationHistoryParams): Promise<string> {
    return history.createNotificationHistory(this.db, params);
  }

  // Content tracking
  async createContentItem(params: content.CreateContentItemParams): Promise<string> {
    return (await content.createContentItem(this.db, params)).id;
  }
  getUnnotifiedContent(now?: Date): Promise<ContentItem[]> {
    return content.getUnnotifiedContent(this.db, { now });
  }
  /** The original system increments notification_count; pass how many notifications the fan-out created. */
  markContentNotified(contentId: string, notificationCount = 0): Promise<boolean> {
    return content.markContentNotified(this.db, contentId, notificationCount);
  }

  // Templates
  getEmailTemplate(templateName: string): Promise<EmailTemplate | null> {
    return templates.getEmailTemplate(this.db, templateName);
  }
  async createEmailTemplate(params: templates.CreateEmailTemplateParams): Promise<string> {
    return (await templates.createEmailTemplate(this.db, params)).id;
  }

  // Unsubscribe tokens
  /** Returns the raw token for the link; only its SHA-256 hash is stored. */
  async createUnsubscribeToken(params: tokens.CreateUnsubscribeTokenParams): Promise<string> {
    return (await tokens.createUnsubscribeToken(this.db, params)).token;
  }
  validateUnsubscribeToken(token: string): Promise<UnsubscribeToken | null> {
    return tokens.validateUnsubscribeToken(this.db, token);
  }
  /** True for exactly one caller: the original system's void hid whether this use was the one that counted. */
  useUnsubscribeToken(tokenId: string, ipAddress?: string | null, userAgent?: string | null): Promise<boolean> {
    return tokens.useUnsubscribeToken(this.db, tokenId, { ipAddress, userAgent });
  }

  // Preferences
  updateUserPreferences(userId: string, prefs: preferences.EmailPreferences): Promise<boolean> {
    return preferences.updateUserPreferences(this.db, userId, prefs);
  }
  unsubscribeUserFromAll(userId: string): Promise<boolean> {
    return preferences.unsubscribeUserFromAll(this.db, userId);
  }

  // Statistics
  updateEmailStatistics(dateKey: string, contentType: string, stats: statistics.StatisticIncrements): Promise<void> {
    return statistics.updateEmailStatistics(this.db, dateKey, contentType, stats);
  }
}
