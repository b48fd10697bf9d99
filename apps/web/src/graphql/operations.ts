import { graphql } from './generated';

/**
 * Every GraphQL operation the browser sends. Names follow apps/api/schema.graphql; the contract
 * names (issue 2) are fixed, the extra fields (attention, analytics summary, token list) are read
 * from the schema file.
 */

export const POST_CARD_FIELDS = graphql(`
  fragment PostCardFields on Post {
    id
    imageUrl
    width
    height
    captionStatus
    caption {
      id
      text
      source
      version
      createdAt
    }
    translations {
      language
      text
      captionId
    }
    translationStatus
    images {
      feed {
        url
        width
        height
      }
      detail {
        url
        width
        height
      }
    }
    likeCount
    viewCount
    likedByMe
    createdAt
    author {
      id
      displayName
    }
  }
`);

export const POST_DETAIL_FIELDS = graphql(`
  fragment PostDetailFields on Post {
    ...PostCardFields
    captionError
    hashtags
    suggestions {
      text
      score
    }
    captions {
      id
      text
      source
      version
      createdAt
    }
    attention {
      gridWidth
      gridHeight
      words {
        word
        weights
      }
    }
  }
`);

export const ME = graphql(`
  query Me {
    me {
      id
      email
      displayName
      createdAt
    }
  }
`);

export const FEED = graphql(`
  query Feed($first: Int!, $after: String) {
    feed(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...PostCardFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const FEED_UPDATED = graphql(`
  subscription FeedUpdated {
    feedUpdated {
      ...PostCardFields
    }
  }
`);

export const POST = graphql(`
  query Post($id: ID!) {
    post(id: $id) {
      ...PostDetailFields
    }
  }
`);

export const POST_UPDATED = graphql(`
  subscription PostUpdated($postId: ID!) {
    postUpdated(postId: $postId) {
      ...PostDetailFields
    }
  }
`);

export const POST_CARD_UPDATED = graphql(`
  subscription PostCardUpdated($postId: ID!) {
    postUpdated(postId: $postId) {
      ...PostCardFields
    }
  }
`);

/** The live caption and its translations: the language switcher's fallback when a postUpdated event was missed. */
export const POST_TRANSLATIONS = graphql(`
  query PostTranslations($id: ID!) {
    post(id: $id) {
      id
      captionStatus
      caption {
        id
        text
        source
        version
        createdAt
      }
      translations {
        language
        text
        captionId
      }
      translationStatus
    }
  }
`);

export const EDIT_CAPTION = graphql(`
  mutation EditCaption($postId: ID!, $text: String!) {
    editCaption(postId: $postId, text: $text) {
      ...PostDetailFields
    }
  }
`);

export const LIKE_POST = graphql(`
  mutation LikePost($postId: ID!) {
    likePost(postId: $postId) {
      id
      likeCount
      likedByMe
    }
  }
`);

export const UNLIKE_POST = graphql(`
  mutation UnlikePost($postId: ID!) {
    unlikePost(postId: $postId) {
      id
      likeCount
      likedByMe
    }
  }
`);

export const RECORD_VIEW = graphql(`
  mutation RecordView($postId: ID!) {
    recordView(postId: $postId) {
      id
      viewCount
    }
  }
`);

export const DELETE_POST = graphql(`
  mutation DeletePost($postId: ID!) {
    deletePost(postId: $postId)
  }
`);

/** Sent by XMLHttpRequest (multipart request spec), so it is a plain string. */
export const POST_DELETED = graphql(`
  subscription PostDeleted {
    postDeleted
  }
`);

export const RETRY_CAPTION = graphql(`
  mutation RetryCaption($postId: ID!) {
    retryCaption(postId: $postId) {
      ...PostDetailFields
    }
  }
`);

export const CREATE_POST_SOURCE = `mutation CreatePost($image: Upload!, $caption: String) {
  createPost(image: $image, caption: $caption) { id captionStatus }
}`;

export const CAPTION_ANALYTICS = graphql(`
  query CaptionAnalytics($postId: ID!) {
    captionAnalytics(postId: $postId) {
      caption {
        id
        text
        source
        version
        createdAt
      }
      views
      likes
      likeRate
    }
  }
`);

export const API_TOKENS = graphql(`
  query ApiTokens {
    apiTokens {
      id
      name
      createdAt
      lastUsedAt
      revokedAt
    }
  }
`);

export const CREATE_API_TOKEN = graphql(`
  mutation CreateApiToken($name: String!) {
    createApiToken(name: $name) {
      id
      name
      token
      createdAt
    }
  }
`);

export const REVOKE_API_TOKEN = graphql(`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id)
  }
`);
