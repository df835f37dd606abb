import { relations } from 'drizzle-orm';
import { emailNotificationHistory, emailNotifications } from './notifications';
import { unsubscribeTokens } from './tokens';
import { sessions, userProfiles, users } from './users';

export const usersRelations = relations(users, ({ many, one }) => ({
  sessions: many(sessions),
  profile: one(userProfiles),
  notifications: many(emailNotifications),
  history: many(emailNotificationHistory),
  unsubscribeTokens: many(unsubscribeTokens),
}));
export const sessionsRelations = relations(sessions, ({ one }) => ({
  user: one(users, { fields: [sessions.userId], references: [users.id] }),
}));
export const userProfilesRelations = relations(userProfiles, ({ one }) => ({
  user: one(users, { fields: [userProfiles.userId], references: [users.id] }),
}));
export const emailNotificationsRelations = relations(emailNotifications, ({ one, many }) => ({
  user: one(users, { fields: [emailNotifications.userId], references: [users.id] }),
  history: many(emailNotificationHistory),
}));
export const historyRelations = relations(emailNotificationHistory, ({ one }) => ({
  notification: one(emailNotifications, {
    fields: [emailNotificationHistory.notificationId],
    references: [emailNotifications.id],
  }),
  user: one(users, { fields: [emailNotificationHistory.userId], references: [users.id] }),
}));
export const unsubscribeTokensRelations = relations(unsubscribeTokens, ({ one }) => ({
  user: one(users, { fields: [unsubscribeTokens.userId], references: [users.id] }),
}));
