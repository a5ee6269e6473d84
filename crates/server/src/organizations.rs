//! `/api/v1/organizations`: the public showcase of an event's startups and investors, their
//! profiles, recommendations and invitations. Each handler reads the request and answers with
//! what its use case returns.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ketnoi_app::accounts::{InvitationView, InviteBody};
use ketnoi_app::organizations::{DeleteOrganization, Listing, OrganizationView, ProfileInput, SearchParams};
use ketnoi_app::recommendations::{RecommendationParams, Recommendations};
use ketnoi_domain::rules::Resource;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use crate::json::Body;
use crate::params::Query;

/// A numeric id from the path; anything else is "not found", like an unknown id.
pub fn id(text: &str, resource: Resource) -> Result<i64, ApiError> {
    text.parse().map_err(|_| ApiError::not_found(resource))
}

/// Search or list organizations, best first for a search and by name otherwise.
#[utoipa::path(get, path = "/organizations", tag = "organizations", params(SearchParams),
    responses((status = 200, description = "One page of organizations and the total", body = Listing)))]
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Json<std::sync::Arc<Listing>>, ApiError> {
    Ok(Json(state.app.search(&params.parse()?).await?))
}

/// Reads an organization's profile: the public fields for anyone, and the contacts and
/// private figures for its members and its events' organisers.
#[utoipa::path(get, path = "/organizations/{id}", tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, description = "The profile", body = OrganizationView),
        (status = 404, description = "`not-found`: no such organization", body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(organization): Path<String>,
) -> Result<Json<std::sync::Arc<OrganizationView>>, ApiError> {
    let organization = id(&organization, Resource::Organization)?;
    Ok(Json(state.app.profile(&caller, organization).await?))
}

/// Replaces an organization's profile: what GET returns is accepted as it is. Members of the
/// organization and organisers of its events may; the kind cannot change.
#[utoipa::path(put, path = "/organizations/{id}", tag = "organizations", params(("id" = i64, Path)),
    request_body = ProfileInput,
    responses((status = 200, description = "The updated profile, private fields included", body = OrganizationView),
        (status = 400, description = "`invalid-field`: a field is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such organization, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(organization): Path<String>,
    Body(body): Body<ProfileInput>,
) -> Result<Json<OrganizationView>, ApiError> {
    let organization = id(&organization, Resource::Organization)?;
    Ok(Json(state.app.update_organization(&caller, organization, &body).await?))
}

/// Deletes an organization with its members, requests and meetings; it leaves the search
/// index within a second. Members may, and an organiser when the organization takes part in
/// no other event.
#[utoipa::path(delete, path = "/organizations/{id}", tag = "organizations", params(("id" = i64, Path)),
    request_body = DeleteOrganization,
    responses((status = 204, description = "Deleted"),
        (status = 400, description = "`invalid-field`: the name does not match", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such organization, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(organization): Path<String>,
    Body(body): Body<DeleteOrganization>,
) -> Result<StatusCode, ApiError> {
    let organization = id(&organization, Resource::Organization)?;
    state.app.delete_organization(&caller, organization, &body.confirm_name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An organization's best counterparts at an event, with scores and reasons: for its members
/// and its events' organisers, since the scores use private figures.
#[utoipa::path(get, path = "/organizations/{id}/recommendations", tag = "organizations",
    params(("id" = i64, Path), RecommendationParams),
    responses((status = 200, description = "Best first", body = Recommendations),
        (status = 404, description = "`not-found`: no such organization or event, or not yours", body = Problem, content_type = "application/problem+json")))]
pub async fn recommendations(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(organization): Path<String>,
    Query(params): Query<RecommendationParams>,
) -> Result<Json<Recommendations>, ApiError> {
    caller.require_sign_in()?;
    let organization = id(&organization, Resource::Organization)?;
    let (event, limit) = params.parse()?;
    Ok(Json(state.app.recommendations(&caller, organization, event.as_ref(), limit).await?))
}

/// Invites a colleague to join an organization. ketnoi sends no e-mail: pass the code on.
#[utoipa::path(post, path = "/organizations/{id}/invitations", tag = "accounts", params(("id" = i64, Path)),
    request_body = InviteBody,
    responses((status = 201, description = "The invitation and its code", body = InvitationView),
        (status = 400, description = "`invalid-field`: the e-mail is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such organization, or not yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`email-taken`: the e-mail has an account", body = Problem, content_type = "application/problem+json")))]
pub async fn invite(
    State(state): State<AppState>,
    Auth(caller): Auth,
    Path(organization): Path<String>,
    Body(body): Body<InviteBody>,
) -> Result<(StatusCode, Json<InvitationView>), ApiError> {
    let organization = id(&organization, Resource::Organization)?;
    Ok((StatusCode::CREATED, Json(state.app.invite(&caller, organization, &body).await?)))
}
