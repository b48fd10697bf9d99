import { gql } from '@urql/core';

/**
 * Every GraphQL operation the browser sends. Names follow apps/api/schema.graphql; the contract
 * names (issue 2) are fixed, the extra fields (attention, analytics summary, token list) are read
 * from the schema file.
 */

export const POST_CARD_FIELDS = gql`
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
`;

export const POST_DETAIL_FIELDS = gql`
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
  ${POST_CARD_FIELDS}
`;

export const ME = gql`
  query Me {
    me {
      id
      email
      displayName
      createdAt
    }
  }
`;

export const FEED = gql`
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
  ${POST_CARD_FIELDS}
`;

export const FEED_UPDATED = gql`
  subscription FeedUpdated {
    feedUpdated {
      ...PostCardFields
    }
  }
  ${POST_CARD_FIELDS}
`;

export const POST = gql`
  query Post($id: ID!) {
    post(id: $id) {
      ...PostDetailFields
    }
  }
  ${POST_DETAIL_FIELDS}
`;

export const POST_UPDATED = gql`
  subscription PostUpdated($postId: ID!) {
    postUpdated(postId: $postId) {
      ...PostDetailFields
    }
  }
  ${POST_DETAIL_FIELDS}
`;

export const POST_CARD_UPDATED = gql`
  subscription PostCardUpdated($postId: ID!) {
    postUpdated(postId: $postId) {
      ...PostCardFields
    }
  }
  ${POST_CARD_FIELDS}
`;

/** The live caption and its translations: the language switcher's fallback when a postUpdated event was missed. */
export const POST_TRANSLATIONS = gql`
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
`;

export const EDIT_CAPTION = gql`
  mutation EditCaption($postId: ID!, $text: String!) {
    editCaption(postId: $postId, text: $text) {
      ...PostDetailFields
    }
  }
  ${POST_DETAIL_FIELDS}
`;

export const LIKE_POST = gql`
  mutation LikePost($postId: ID!) {
    likePost(postId: $postId) {
      id
      likeCount
      likedByMe
    }
  }
`;

export const UNLIKE_POST = gql`
  mutation UnlikePost($postId: ID!) {
    unlikePost(postId: $postId) {
      id
      likeCount
      likedByMe
    }
  }
`;

export const RECORD_VIEW = gql`
  mutation RecordView($postId: ID!) {
    recordView(postId: $postId) {
      id
      viewCount
    }
  }
`;

export const DELETE_POST = gql`
  mutation DeletePost($postId: ID!) {
    deletePost(postId: $postId)
  }
`;

/** Sent by XMLHttpRequest (multipart request spec), so it is a plain string. */
export const POST_DELETED = gql`
  subscription PostDeleted {
    postDeleted
  }
`;

export const RETRY_CAPTION = gql`
  mutation RetryCaption($postId: ID!) {
    retryCaption(postId: $postId) {
      ...PostDetailFields
    }
  }
  ${POST_DETAIL_FIELDS}
`;

export const CREATE_POST_SOURCE = `mutation CreatePost($image: Upload!, $caption: String) {
  createPost(image: $image, caption: $caption) { id captionStatus }
}`;

export const CAPTION_ANALYTICS = gql`
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
`;

export const API_TOKENS = gql`
  query ApiTokens {
    apiTokens {
      id
      name
      scope
      createdAt
      lastUsedAt
      revokedAt
    }
  }
`;

export const CREATE_API_TOKEN = gql`
  mutation CreateApiToken($name: String!, $scope: ApiTokenScope!) {
    createApiToken(name: $name, scope: $scope) {
      id
      name
      token
      scope
      createdAt
    }
  }
`;

export const REVOKE_API_TOKEN = gql`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id)
  }
`;

/** Ends this browser's API session (and the API tokens made in it); next-auth's signOut follows. */
export const LOG_OUT = gql`
  mutation LogOut {
    logOut
  }
`;

/** Ends every session of the user and revokes all their API tokens. */
export const LOG_OUT_EVERYWHERE = gql`
  mutation LogOutEverywhere {
    logOutEverywhere
  }
`;
