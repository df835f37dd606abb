import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

const entry = z.object({
  title: z.string().min(1),
  description: z.string().optional(),
  date: z.coerce.date(),
  tags: z.array(z.string()).default([]),
  draft: z.boolean().default(false),
});

export const collections = {
  blog: defineCollection({ loader: glob({ pattern: '**/*.md', base: './src/content/blog' }), schema: entry }),
  thoughts: defineCollection({ loader: glob({ pattern: '**/*.md', base: './src/content/thoughts' }), schema: entry }),
  announcements: defineCollection({ loader: glob({ pattern: '**/*.md', base: './src/content/announcements' }), schema: entry }),
};
